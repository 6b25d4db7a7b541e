import * as http from 'node:http';
import { inspect } from 'node:util';
import passport from 'passport';
import request from 'supertest';
import {
  JustLoginClient,
  JustLoginOptionsError,
  JustLoginRefresher,
  JustLoginStrategy,
  type JustLoginVerifyWithProfile,
} from '../../lib';
import { TokenEndpoint } from '../../lib/client/token-endpoint';
import { makeApp } from '../support/app';
import { fakeIdToken, idTokenClaims } from '../support/id-token';
import { signIdToken, signingKey } from '../support/keys';
import { TokenServer, tokenResponse } from '../support/token-server';

// One JustLogin client holds the app's identity, JustLogin's endpoints and the
// id_token checks; the strategy and the refresher share it, and nothing they
// hand out can make a client-authenticated token request on its own.

const CLIENT_ID = 'client-abc';
const CLIENT_SECRET = 'client-secret-Hq7Lw2';

let server: TokenServer;
beforeEach(async () => {
  server = await TokenServer.start();
});
afterEach(() => server.stop());

const verify: JustLoginVerifyWithProfile = (_at, _rt, profile, done) => done(null, { id: profile.id });
const clientOptions = () => ({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, baseURL: server.origin });
const clientFor = (overrides: object = {}) => new JustLoginClient({ ...clientOptions(), ...overrides });

/** Every object reachable from `root` through own properties (any key, enumerable or not) and prototypes' fields. */
function reachable(root: unknown): Set<object> {
  const seen = new Set<object>();
  const visit = (value: unknown) => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return;
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && 'value' in descriptor) visit(descriptor.value);
    }
    visit(Object.getPrototypeOf(value));
  };
  visit(root);
  return seen;
}

describe('JustLoginClient', () => {
  it('resolves the endpoints and settings once', () => {
    const client = clientFor({ issuer: 'https://apis.justlogin.com/v1/auth', timeout: 5000, clockTolerance: 30 });
    expect(client).toMatchObject({
      clientID: CLIENT_ID,
      baseURL: server.origin,
      authorizationURL: `${server.origin}/v1/auth/connect/authorize`,
      tokenURL: `${server.origin}/v1/auth/connect/token`,
      issuer: 'https://apis.justlogin.com/v1/auth',
      timeout: 5000,
      clockTolerance: 30,
    });
    expect(new JustLoginClient({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET })).toMatchObject({
      tokenURL: 'https://apis.justlogin.com/v1/auth/connect/token',
      timeout: 10_000,
      clockTolerance: 60,
    });
  });

  it('never shows the client secret to util.inspect or JSON.stringify', () => {
    const client = clientFor();
    for (const text of [inspect(client, { showHidden: true, depth: Infinity }), JSON.stringify(client)]) {
      expect(text).not.toContain(CLIENT_SECRET);
    }
  });

  it.each([
    ['clientID', { clientID: '' }],
    ['clientSecret', { clientSecret: undefined }],
    ['timeout', { timeout: -1 }],
    ['clockTolerance', { clockTolerance: Number.NaN }],
    ['issuer', { issuer: '' }],
    ['jwksURL', { jwksURL: 'file:///etc/passwd' }],
  ])('throws a JustLoginOptionsError naming `%s`', (option, overrides) => {
    expect(() => clientFor(overrides)).toThrow(JustLoginOptionsError);
    expect(() => clientFor(overrides)).toThrow(`\`${option}\``);
  });
});

describe('one client for sign-in and renewal', () => {
  it('a strategy given `client` signs in with it, and a refresher given the same client renews with it', async () => {
    const client = clientFor();
    const strategy = new JustLoginStrategy({ client, callbackURL: '/callback' }, verify);
    expect(strategy.client).toBe(client);
    const agent = request.agent(makeApp(strategy));
    const login = new URL((await agent.get('/login')).headers.location);
    expect(login.origin + login.pathname).toBe(client.authorizationURL);
    const nonce = login.searchParams.get('nonce');
    server.reply({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims(CLIENT_ID, { nonce })) }) });
    await agent.get(`/callback?code=c1&state=${login.searchParams.get('state')}`).expect(200);

    const refresher = new JustLoginRefresher({ client });
    expect(refresher.client).toBe(client);
    await refresher.refresh({ refreshToken: 'refresh-token-1' });

    expect(server.requests.map((r) => [r.form.grant_type, r.form.client_id, r.form.client_secret])).toEqual([
      ['authorization_code', CLIENT_ID, CLIENT_SECRET],
      ['refresh_token', CLIENT_ID, CLIENT_SECRET],
    ]);
  });

  it('fromStrategy gives the refresher the strategy’s very client', () => {
    const strategy = new JustLoginStrategy({ client: clientFor(), callbackURL: '/callback' }, verify);
    expect(JustLoginRefresher.fromStrategy(strategy).client).toBe(strategy.client);
  });

  it('refuses a `client` that is not a JustLoginClient', () => {
    const fake = { clientID: CLIENT_ID, tokenURL: server.url } as unknown as JustLoginClient;
    expect(() => new JustLoginStrategy({ client: fake, callbackURL: '/callback' }, verify)).toThrow(/`client`/);
    expect(() => new JustLoginRefresher({ client: fake })).toThrow(/`client`/);
    expect(() => new JustLoginRefresher({ client: Object.create(JustLoginClient.prototype) })).toThrow(
      JustLoginOptionsError,
    );
  });

  it('nothing reachable from a strategy, its passport, a client or a refresher is a token endpoint', () => {
    const client = clientFor();
    const strategy = new JustLoginStrategy({ client, callbackURL: '/callback' }, verify);
    const authenticator = new passport.Passport();
    authenticator.use(strategy);
    const refresher = JustLoginRefresher.fromStrategy(strategy);
    for (const root of [strategy, authenticator, client, refresher]) {
      const objects = [...reachable(root)];
      expect(objects.filter((value) => value instanceof TokenEndpoint)).toEqual([]);
      expect(objects.filter((value) => typeof (value as { send?: unknown }).send === 'function')).toEqual([]);
    }
  });
});

describe('transport', () => {
  /** A node:http agent that counts the connections it opens. */
  class CountingAgent extends http.Agent {
    connections = 0;
    override createConnection(...args: Parameters<http.Agent['createConnection']>) {
      this.connections += 1;
      return super.createConnection(...args);
    }
  }

  /** Signs in through `strategy` against the token server; returns the callback's status. */
  async function signIn(strategy: JustLoginStrategy): Promise<number> {
    const agent = request.agent(makeApp(strategy));
    const login = new URL((await agent.get('/login')).headers.location);
    const nonce = login.searchParams.get('nonce');
    server.reply({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims(CLIENT_ID, { nonce })) }) });
    return (await agent.get(`/callback?code=c1&state=${login.searchParams.get('state')}`)).status;
  }

  it('sends the code exchange and the refresh through the `fetch` option', async () => {
    const seen: string[] = [];
    const recording = (input: string, init: RequestInit) => {
      seen.push(`${init.method} ${input}`);
      return fetch(input, init);
    };
    const client = clientFor({ fetch: recording });
    expect(await signIn(new JustLoginStrategy({ client, callbackURL: '/callback' }, verify))).toBe(200);
    await new JustLoginRefresher({ client }).refresh({ refreshToken: 'refresh-token-1' });
    expect(seen).toEqual([`POST ${server.url}`, `POST ${server.url}`]);
    expect(server.requests.map((r) => r.form.grant_type)).toEqual(['authorization_code', 'refresh_token']);
  });

  it('opens its connections through the `agent` option', async () => {
    const agent = new CountingAgent();
    await new JustLoginRefresher({ client: clientFor({ agent }) }).refresh({ refreshToken: 'refresh-token-1' });
    expect(agent.connections).toBe(1);
  });

  it('honours passport-oauth2’s strategy._oauth2.setAgent for the sign-in and for renewals', async () => {
    const strategy = new JustLoginStrategy({ ...clientOptions(), callbackURL: '/callback' }, verify);
    const agent = new CountingAgent();
    (strategy as unknown as { _oauth2: { setAgent(agent: http.Agent): void } })._oauth2.setAgent(agent);
    expect(await signIn(strategy)).toBe(200);
    expect(agent.connections).toBe(1);
    await JustLoginRefresher.fromStrategy(strategy).refresh({ refreshToken: 'refresh-token-1' });
    expect(agent.connections).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it('refuses setAgent with a JustLoginOptionsError when requests go through `fetch`', () => {
    const strategy = new JustLoginStrategy({ client: clientFor({ fetch }), callbackURL: '/callback' }, verify);
    const oauth2 = (strategy as unknown as { _oauth2: { setAgent(agent: http.Agent): void } })._oauth2;
    expect(() => oauth2.setAgent(new http.Agent())).toThrow(JustLoginOptionsError);
    expect(() => oauth2.setAgent(new http.Agent())).toThrow(/fetch/);
  });
});

describe('discovery', () => {
  const DISCOVERY = '/v1/auth/.well-known/openid-configuration';
  const issuer = () => `${server.origin}/v1/auth`;
  const metadataDocument = () => ({
    issuer: issuer(),
    jwks_uri: `${server.origin}/keys-from-discovery`,
    authorization_endpoint: `${server.origin}/v1/auth/connect/authorize`,
    token_endpoint: `${server.origin}/v1/auth/connect/token`,
    userinfo_endpoint: `${server.origin}/v1/auth/connect/userinfo`,
    revocation_endpoint: `${server.origin}/v1/auth/connect/revocation`,
    end_session_endpoint: `${server.origin}/v1/auth/connect/endsession`,
  });

  /** The token server as JustLogin: the discovery document, keys, and token responses with id_tokens from `sign`. */
  function serve(sign: (nonce: string | null) => Promise<string> | string, keys: object[] = []) {
    let nonce: string | null = null;
    server.reply(async (req) => {
      if (req.url === DISCOVERY) return { body: metadataDocument() };
      if (req.url === '/keys-from-discovery') return { body: { keys } };
      return { body: tokenResponse({ id_token: await sign(nonce) }) };
    });
    return {
      async signIn(strategy: JustLoginStrategy, extra: Record<string, string> = {}) {
        const agent = request.agent(makeApp(strategy));
        const login = new URL((await agent.get('/login')).headers.location);
        nonce = login.searchParams.get('nonce');
        const query = new URLSearchParams({ code: 'c1', state: login.searchParams.get('state') ?? '', ...extra });
        return agent.get(`/callback?${query.toString()}`);
      },
    };
  }
  const strategyWith = (overrides: object) =>
    new JustLoginStrategy({ client: clientFor(overrides), callbackURL: '/callback' }, verify);
  const urls = () => server.requests.map((r) => r.url);

  it('takes the issuer from the discovery document, fetched once for every sign-in', async () => {
    let iss = issuer();
    const flow = serve((nonce) => fakeIdToken(idTokenClaims(CLIENT_ID, { nonce, iss })));
    const strategy = strategyWith({ discovery: true });

    expect((await flow.signIn(strategy)).status).toBe(200);
    expect((await flow.signIn(strategy)).status).toBe(200);
    iss = 'https://apis.justlogin.com/v1/auth';
    const other = await flow.signIn(strategy);

    expect(other.body.error).toMatchObject({ name: 'IdTokenError', check: 'iss' });
    expect(urls().filter((url) => url === DISCOVERY)).toHaveLength(1);
  });

  it('refuses an authorization response whose RFC 9207 iss is not the discovered issuer, before any code exchange', async () => {
    const flow = serve((nonce) => fakeIdToken(idTokenClaims(CLIENT_ID, { nonce, iss: issuer() })));
    const res = await flow.signIn(strategyWith({ discovery: true }), { iss: 'https://idp.evil.example/v1/auth' });
    expect(res.headers.location).toBe('/failed');
    expect(urls()).toEqual([DISCOVERY]);
  });

  it('checks signatures against the jwks_uri it advertises', async () => {
    const [key, forger] = [await signingKey('k1'), await signingKey('k1')];
    let signer = key;
    const flow = serve((nonce) => signIdToken(idTokenClaims(CLIENT_ID, { nonce, iss: issuer() }), signer), [key.jwk]);
    const strategy = strategyWith({ discovery: true, verifyIdTokenSignature: true });

    expect((await flow.signIn(strategy)).status).toBe(200);
    signer = forger;
    expect((await flow.signIn(strategy)).body.error).toMatchObject({ name: 'IdTokenError', check: 'signature' });
    expect(urls()).toContain('/keys-from-discovery');
  });

  it('fails the sign-in with a typed error when discovery fails, and asks again next time', async () => {
    let broken = true;
    const flow = serve((nonce) => fakeIdToken(idTokenClaims(CLIENT_ID, { nonce, iss: issuer() })));
    const serveDocument = server.responder;
    server.reply((req) => (broken && req.url === DISCOVERY ? { status: 503, body: 'down' } : serveDocument(req)));
    const strategy = strategyWith({ discovery: true });

    const failed = await flow.signIn(strategy);
    expect(failed.body.error).toMatchObject({ name: 'JustLoginRequestError', code: 'EHTTPSTATUS' });
    broken = false;
    expect((await flow.signIn(strategy)).status).toBe(200);
    expect(urls().filter((url) => url === DISCOVERY)).toHaveLength(2);
    expect(urls().filter((url) => url === '/v1/auth/connect/token')).toHaveLength(1);
  });

  it('needs no discovery for an error response without iss: the user who said No is told so', async () => {
    server.reply({ status: 503, body: 'down' });
    const agent = request.agent(makeApp(strategyWith({ discovery: true })));
    const state = new URL((await agent.get('/login')).headers.location).searchParams.get('state') ?? '';
    const res = await agent.get(`/callback?error=access_denied&state=${state}`);
    expect(res.headers.location).toBe('/failed');
    expect((await agent.get('/failed')).body.messages).toEqual(['The user did not allow the sign-in with JustLogin']);
    expect(urls()).toEqual([]);
  });

  it('checks an id_token from a refresh against the discovered issuer', async () => {
    serve(() => fakeIdToken(idTokenClaims(CLIENT_ID)));
    const refresher = new JustLoginRefresher({ client: clientFor({ discovery: true }) });
    await expect(refresher.refresh({ refreshToken: 'refresh-token-1' })).rejects.toMatchObject({ check: 'iss' });
  });

  it('exposes the optional endpoints JustLogin advertises through metadata()', async () => {
    serve(() => '');
    const metadata = await clientFor({ discovery: true }).metadata();
    expect(metadata).toMatchObject({
      issuer: issuer(),
      revocation_endpoint: `${server.origin}/v1/auth/connect/revocation`,
      end_session_endpoint: `${server.origin}/v1/auth/connect/endsession`,
      userinfo_endpoint: `${server.origin}/v1/auth/connect/userinfo`,
    });
  });

  it('without the option, sign-in and renewal never ask for the discovery document', async () => {
    const flow = serve((nonce) => fakeIdToken(idTokenClaims(CLIENT_ID, { nonce })));
    const strategy = strategyWith({});
    expect((await flow.signIn(strategy)).status).toBe(200);
    await JustLoginRefresher.fromStrategy(strategy).refresh({ refreshToken: 'refresh-token-1' });
    expect(urls()).toEqual(['/v1/auth/connect/token', '/v1/auth/connect/token']);
  });
});

describe('options check', () => {
  const thrown = (make: () => unknown): Error & { problems?: string[] } => {
    try {
      make();
    } catch (error) {
      return error as Error & { problems?: string[] };
    }
    throw new Error('did not throw');
  };

  it('reports every problem of the strategy options at once, with a did-you-mean for a misspelt key', () => {
    const error = thrown(
      () =>
        new JustLoginStrategy(
          {
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            callbackURL: '//evil.example/cb',
            timeout: 0,
            scope: 'openid "email"',
            sessionKey: '',
            issuer: 'apis.justlogin.com',
          } as never,
          verify,
        ),
    );
    expect(error).toBeInstanceOf(JustLoginOptionsError);
    expect(error.name).toBe('JustLoginOptionsError');
    expect(error.message).toMatch(/^passport-justlogin: JustLoginStrategy options are invalid:\n/);
    for (const line of [
      '`clientId` is not an option; did you mean `clientID`?',
      '`clientID` is required',
      '`callbackURL` must be',
      '`timeout` must be',
      '`scope` must hold scope tokens',
      '`sessionKey` must be a non-empty string',
      '`issuer` must be a URL',
    ]) {
      expect(error.message).toContain(line);
    }
    expect(error.problems).toHaveLength(7);
  });

  it.each([
    ['the strategy', () => new JustLoginStrategy({ ...clientOptions(), clientSecrte: 'x' } as never, verify)],
    ['the refresher', () => new JustLoginRefresher({ ...clientOptions(), graceMS: 0 } as never)],
    ['the client', () => new JustLoginClient({ ...clientOptions(), clocktolerance: 5 } as never)],
  ])('names the option meant by a misspelt key for %s', (_component, make) => {
    expect(make).toThrow(/is not an option; did you mean `(clientSecret|graceMs|clockTolerance)`\?/);
  });

  it('catches the issuer the sandbox prints (…/v1/auth) given as baseURL, and says what to use', () => {
    const make = () => clientFor({ baseURL: `${server.origin}/v1/auth` });
    expect(make).toThrow(JustLoginOptionsError);
    expect(make).toThrow(`use \`baseURL: '${server.origin}'\``);
    expect(() => clientFor({ baseURL: `${server.origin}/v1/auth/` })).toThrow(/names the issuer/);
  });

  it('refuses client options beside `client`, which would be ignored', () => {
    const client = clientFor();
    expect(() => new JustLoginStrategy({ client, callbackURL: '/cb', timeout: 5000 }, verify)).toThrow(
      '`timeout` is set on the client',
    );
    expect(() => new JustLoginRefresher({ client, clientSecret: 'other' })).toThrow(
      '`clientSecret` is set on the client',
    );
  });

  it('refuses `fetch` with `agent`, and an agent that is not a node:http Agent', () => {
    expect(() => clientFor({ fetch, agent: new http.Agent() })).toThrow('`fetch` cannot be used with `agent`');
    expect(() => clientFor({ agent: { keepAlive: true } })).toThrow('`agent` must be a node:http Agent');
  });

  it.each([
    ['a scope array holding a space', { scope: ['openid email'] }],
    ['a scope that is a number', { scope: 42 }],
    ['a store without verify', { store: { store() {} } }],
    ['a passReqToCallback that is not a boolean', { passReqToCallback: 'yes' }],
  ])('refuses %s', (_case, overrides) => {
    const make = () => new JustLoginStrategy({ ...clientOptions(), callbackURL: '/cb', ...overrides } as never, verify);
    expect(make).toThrow(JustLoginOptionsError);
    expect(make).toThrow(`\`${Object.keys(overrides)[0]}\``);
  });
});
