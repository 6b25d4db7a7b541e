import request from 'supertest';
import { JustLoginStrategy } from '../../lib';
import { makeApp } from '../support/app';
import { fakeIdToken, idTokenClaims } from '../support/id-token';
import { signIdToken, signingKey } from '../support/keys';
import { CLIENT_ID, useStrategyOnTokenServer, verify } from '../support/strategy-on-token-server';
import { tokenResponse } from '../support/token-server';

const justlogin = useStrategyOnTokenServer({
  clientSecret: 'nonce-test-secret-000',
  callbackURL: 'http://app.test/callback',
});
const { options } = justlogin;

/** Starts a sign-in; returns the agent, the state and the nonce JustLogin was sent. */
async function start(strategy: JustLoginStrategy) {
  const agent = request.agent(makeApp(strategy));
  const login = await agent.get('/login');
  const query = new URL(login.headers.location).searchParams;
  return { agent, state: query.get('state') ?? '', nonce: query.get('nonce') ?? undefined };
}

function answer(claims: Record<string, unknown>) {
  justlogin.server.reply({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims(CLIENT_ID, claims)) }) });
}

describe('nonce', () => {
  it('sends a fresh random nonce with every authorization request', async () => {
    const strategy = new JustLoginStrategy(options(), verify);
    const nonces = new Set<string | undefined>();
    for (let i = 0; i < 5; i++) nonces.add((await start(strategy)).nonce);
    expect(nonces.size).toBe(5);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('accepts the id_token that carries it back', async () => {
    const { agent, state, nonce } = await start(new JustLoginStrategy(options(), verify));
    answer({ nonce });
    const res = await agent.get(`/callback?code=c&state=${state}`);
    expect(res.status).toBe(200);
  });

  it.each([
    ['no nonce', undefined, /has no nonce/],
    ['another nonce', 'attacker-chosen-nonce', /does not match/],
  ])('fails an id_token with %s', async (_case, nonce, message) => {
    const { agent, state } = await start(new JustLoginStrategy(options(), verify));
    answer({ nonce });
    const res = await agent.get(`/callback?code=c&state=${state}`);
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ name: 'IdTokenError', message: expect.stringMatching(message) });
  });

  it('is single-use: the same callback cannot be completed twice', async () => {
    const { agent, state, nonce } = await start(new JustLoginStrategy(options(), verify));
    answer({ nonce });
    await agent.get(`/callback?code=c&state=${state}`).expect(200);
    const replay = await agent.get(`/callback?code=c&state=${state}`);
    expect(replay.headers.location).toBe('/failed');
    expect(justlogin.server.requests).toHaveLength(1);
  });

  it('keeps the app state object and hides the nonce from it', async () => {
    const strategy = new JustLoginStrategy(options(), verify);
    let authInfo: unknown;
    const app = makeApp(strategy, {
      onSuccess: (req) => {
        authInfo = req.authInfo;
      },
      loginOptions: { state: { returnTo: '/reports' } },
    });
    const agent = request.agent(app);
    const login = await agent.get('/login');
    const query = new URL(login.headers.location).searchParams;
    answer({ nonce: query.get('nonce') });
    await agent.get(`/callback?code=c&state=${query.get('state')}`).expect(200);
    expect(authInfo).toEqual({ state: { returnTo: '/reports' } });
  });

  it('is not sent when state is off (there is nowhere to keep it)', async () => {
    const { nonce } = await start(new JustLoginStrategy(options({ state: false, pkce: false }), verify));
    expect(nonce).toBeUndefined();
  });
});

describe('id_token signature (verifyIdTokenSignature)', () => {
  it("accepts a token signed with JustLogin's key and refuses a forged one", async () => {
    const key = await signingKey('jl-1');
    const forger = await signingKey('jl-1');
    const strategy = new JustLoginStrategy(options({ verifyIdTokenSignature: true }), verify);
    let signer = key;
    let nonce: string | undefined;
    justlogin.server.reply(async (request) =>
      request.url.endsWith('/jwks')
        ? { body: { keys: [key.jwk] } }
        : { body: tokenResponse({ id_token: await signIdToken(idTokenClaims(CLIENT_ID, { nonce }), signer) }) },
    );
    const first = await start(strategy);
    nonce = first.nonce;
    await first.agent.get(`/callback?code=c&state=${first.state}`).expect(200);
    expect(justlogin.server.requests.map((r) => r.url)).toContain('/v1/auth/.well-known/openid-configuration/jwks');

    signer = forger;
    const second = await start(strategy);
    nonce = second.nonce;
    const res = await second.agent.get(`/callback?code=c&state=${second.state}`);
    expect(res.body.error).toMatchObject({ name: 'IdTokenError', message: expect.stringMatching(/signature/) });
  });

  it('uses jwksURL when given', async () => {
    const strategy = new JustLoginStrategy(
      options({ verifyIdTokenSignature: true, jwksURL: `${justlogin.server.origin}/keys` }),
      verify,
    );
    const key = await signingKey('jl-2');
    const flow = await start(strategy);
    justlogin.server.reply(async (request) =>
      request.url === '/keys'
        ? { body: { keys: [key.jwk] } }
        : {
            body: tokenResponse({ id_token: await signIdToken(idTokenClaims(CLIENT_ID, { nonce: flow.nonce }), key) }),
          },
    );
    await flow.agent.get(`/callback?code=c&state=${flow.state}`).expect(200);
  });

  it('rejects a jwksURL that is not http(s)', () => {
    expect(() => new JustLoginStrategy(options({ jwksURL: 'file:///etc/passwd' }), verify)).toThrow(/jwksURL/);
  });
});
