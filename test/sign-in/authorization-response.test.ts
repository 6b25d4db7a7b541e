import type { Server } from 'node:http';
import request from 'supertest';
import {
  CookieStateStore,
  JustLoginStrategy,
  type JustLoginStrategyOptions,
  type JustLoginVerifyWithProfile,
} from '../../lib';
import { makeApp } from '../support/app';
import { freePort } from '../support/free-port';
import { fakeIdToken, idTokenClaims } from '../support/id-token';
import { DEMO_USERS, startSandbox, type RunningSandbox } from '../support/sandbox';
import { signInRecordingCallback } from '../support/sandbox-sign-in';
import { TokenServer, tokenResponse } from '../support/token-server';
import { seeGuide } from '../support/guide';

// The authorization response on the callback: its `state` is checked and used
// up before anything in it is acted on (RFC 9700 §4.7), an error in it reaches
// the app only in RFC 6749's character set, and its `iss` must name the
// configured issuer (RFC 9207).

const CLIENT_ID = 'client-abc';
const ISSUER = 'https://apis.justlogin.com/v1/auth';
const INJECTED = 'Call 555-0100\r\n2024-01-01 INFO admin signed in\u0000\u001b[31m';
const STATE_FAILURE = /authorization request state/;

let server: TokenServer;
beforeEach(async () => {
  server = await TokenServer.start();
});
afterEach(() => server.stop());

const verify: JustLoginVerifyWithProfile = (_at, _rt, profile, done) => done(null, { id: profile.id });

function strategy(overrides: Partial<JustLoginStrategyOptions> = {}) {
  return new JustLoginStrategy(
    {
      clientID: CLIENT_ID,
      clientSecret: 'super-secret-value-123',
      callbackURL: 'http://app.test/callback',
      baseURL: server.origin,
      ...overrides,
    },
    verify,
  );
}

/** Starts a sign-in; returns the agent (holding the session) and the state JustLogin would echo. */
async function begin(app = makeApp(strategy())) {
  const agent = request.agent(app);
  const login = new URL((await agent.get('/login')).headers.location);
  const nonce = login.searchParams.get('nonce');
  server.reply({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims(CLIENT_ID, { nonce })) }) });
  return { agent, state: login.searchParams.get('state') ?? '' };
}

/** The failure messages passport kept in the session, read on the failure redirect. */
async function messages(agent: ReturnType<typeof request.agent>): Promise<string[]> {
  return ((await agent.get('/failed')).body as { messages: string[] }).messages;
}

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

describe('state is checked before an error response is acted on', () => {
  it.each([
    ['access_denied', 'no state', undefined],
    ['access_denied', 'a forged state', 'forged'],
    ['server_error', 'no state', undefined],
    ['server_error', 'a forged state', 'forged'],
  ])('%s with %s fails with the state failure; the attacker text goes nowhere', async (error, _case, state) => {
    const { agent } = await begin();
    const res = await agent.get(
      `/callback?${query({ error, error_description: INJECTED, ...(state ? { state } : {}) })}`,
    );
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/failed');
    const kept = await messages(agent);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(STATE_FAILURE);
    expect(JSON.stringify(kept) + res.text).not.toContain('555-0100');
  });

  it('access_denied with a valid state fails the sign-in with its own message', async () => {
    const { agent, state } = await begin();
    const res = await agent.get(`/callback?${query({ error: 'access_denied', error_description: INJECTED, state })}`);
    expect(res.headers.location).toBe('/failed');
    expect(await messages(agent)).toEqual(['The user did not allow the sign-in with JustLogin']);
  });

  it('uses up the state of an error response: the same state cannot complete a sign-in afterwards', async () => {
    const { agent, state } = await begin();
    await agent.get(`/callback?${query({ error: 'access_denied', state })}`);
    const replay = await agent.get(`/callback?${query({ code: 'c1', state })}`);
    expect(replay.headers.location).toBe('/failed');
    expect(await messages(agent)).toEqual([
      'The user did not allow the sign-in with JustLogin',
      expect.stringMatching(STATE_FAILURE),
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it('other errors with a valid state go to the error handler as a JustLoginAuthorizationError', async () => {
    const { agent, state } = await begin();
    const res = await agent.get(
      `/callback?${query({ error: 'invalid_scope', error_description: 'bad scope', state })}`,
    );
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({
      name: 'JustLoginAuthorizationError',
      code: 'invalid_scope',
      message: `bad scope${seeGuide('invalid_scope')}`,
    });
  });
});

describe('with a session-less state store and a relative callbackURL', () => {
  it('checks and clears the state cookie at the callback path before reporting access_denied', async () => {
    const store = new CookieStateStore({ secret: 'a-state-cookie-secret-of-32-chars!!', secure: false });
    const app = makeApp(strategy({ callbackURL: '/callback', store }), { session: false });
    const agent = request.agent(app);
    const login = new URL((await agent.get('/login').set('Host', 'localhost')).headers.location);
    expect(login.searchParams.get('redirect_uri')).toBe('http://localhost/callback');
    const state = login.searchParams.get('state') ?? '';
    const denied = await agent.get(`/callback?${query({ error: 'access_denied', state })}`).set('Host', 'localhost');
    expect(denied.headers.location).toBe('/failed');
    expect(String(denied.headers['set-cookie'])).toMatch(/^justlogin_state=;.*Path=\/callback/);
    const forged = await agent.get(`/callback?${query({ error: 'server_error', state: 'forged' })}`);
    expect(forged.headers.location).toBe('/failed');
  });
});

describe('the error, its description and its URI', () => {
  /** Runs the callback on the strategy as passport does (Object.create) and resolves with what it did. */
  async function callbackOutcome(params: Record<string, string>) {
    const session: Record<string, unknown> = {};
    const base = strategy();
    const start = Object.create(base) as JustLoginStrategy;
    const state = await new Promise<string>((resolve) => {
      start.redirect = (url: string) => resolve(new URL(url).searchParams.get('state') ?? '');
      start.authenticate({ query: {}, session, headers: { host: 'app.test' } });
    });
    const run = Object.create(base) as JustLoginStrategy;
    return new Promise<{ error?: Error & Record<string, unknown>; failure?: { message?: string }; status?: number }>(
      (resolve) => {
        run.error = (error: Error & Record<string, unknown>) => resolve({ error });
        run.fail = (failure: { message?: string }, status?: number) => resolve({ failure, status });
        run.authenticate({
          query: { ...params, state },
          session,
          headers: { host: 'app.test' },
          url: '/callback',
        });
      },
    );
  }

  it('strips control characters from error_description', async () => {
    const { error } = await callbackOutcome({ error: 'server_error', error_description: INJECTED });
    expect(error).toMatchObject({ name: 'JustLoginAuthorizationError', code: 'server_error' });
    expect(error!.message).toBe(`Call 555-0100 2024-01-01 INFO admin signed in [31m${seeGuide('server_error')}`);
    expect(error!.message).not.toMatch(/\p{Cc}/u);
  });

  it.each([
    ['CR/LF', 'server_error\r\nforged'],
    ['a quote', 'server_"error'],
    ['a backslash', 'server\\error'],
    ['a non-ASCII character', 'server_érror'],
    ['a NUL', 'server_error\u0000'],
  ])('refuses an error code with %s as malformed', async (_case, code) => {
    const { error, failure, status } = await callbackOutcome({ error: code, error_description: 'x' });
    expect(error).toBeUndefined();
    expect(status).toBe(400);
    expect(failure?.message).toMatch(/^Malformed authorization response: /);
    expect(failure?.message).not.toContain('forged');
  });

  it.each([
    ['javascript:alert(document.cookie)', undefined],
    ['data:text/html,<script>alert(1)</script>', undefined],
    ['/relative/page', undefined],
    ['https://docs.justlogin.com/errors#server_error', 'https://docs.justlogin.com/errors#server_error'],
    ['http://127.0.0.1/errors', undefined],
  ])('error_uri %s is kept as %s', async (uri, kept) => {
    const { error } = await callbackOutcome({ error: 'server_error', error_uri: uri });
    expect(error).toMatchObject({ name: 'JustLoginAuthorizationError', code: 'server_error' });
    expect(error!.uri).toBe(kept);
  });
});

describe('iss (RFC 9207)', () => {
  it('fails the sign-in before the code is exchanged when iss is not the configured issuer', async () => {
    const { agent, state } = await begin(makeApp(strategy({ issuer: ISSUER })));
    const res = await agent.get(`/callback?${query({ code: 'c1', state, iss: 'https://evil.example/v1/auth' })}`);
    expect(res.headers.location).toBe('/failed');
    const [message] = await messages(agent);
    expect(message).toMatch(/issuer/);
    expect(message).not.toContain('evil.example');
    expect(server.requests).toHaveLength(0);
  });

  it('uses up the state of a response refused for its iss', async () => {
    const { agent, state } = await begin(makeApp(strategy({ issuer: ISSUER })));
    await agent.get(`/callback?${query({ code: 'c1', state, iss: 'https://evil.example/v1/auth' })}`);
    await agent.get(`/callback?${query({ code: 'c1', state, iss: ISSUER })}`);
    expect((await messages(agent))[1]).toMatch(STATE_FAILURE);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses an error response whose iss is not the configured issuer', async () => {
    const { agent, state } = await begin(makeApp(strategy({ issuer: ISSUER })));
    const res = await agent.get(
      `/callback?${query({ error: 'server_error', state, iss: 'https://evil.example/v1/auth' })}`,
    );
    expect(res.headers.location).toBe('/failed');
    expect((await messages(agent))[0]).toMatch(/issuer/);
  });

  it('completes the sign-in when iss is the configured issuer', async () => {
    const { agent, state } = await begin(makeApp(strategy({ issuer: ISSUER })));
    const res = await agent.get(`/callback?${query({ code: 'c1', state, iss: ISSUER })}`);
    expect(res.status).toBe(200);
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a repeated iss as malformed, before the code is exchanged', async () => {
    const { agent, state } = await begin(makeApp(strategy({ issuer: ISSUER })));
    const res = await agent.get(`/callback?${query({ code: 'c1', state })}&iss=${ISSUER}&iss=${ISSUER}`);
    expect(res.headers.location).toBe('/failed');
    expect((await messages(agent))[0]).toMatch(/^Malformed authorization response: .*iss/);
    expect(server.requests).toHaveLength(0);
  });

  it('ignores iss when no issuer is configured', async () => {
    const { agent, state } = await begin();
    const res = await agent.get(`/callback?${query({ code: 'c1', state, iss: 'https://other.example' })}`);
    expect(res.status).toBe(200);
  });
});

describe('against the sandbox identity server, which sends iss and state back', () => {
  let sandbox: RunningSandbox;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    sandbox = await startSandbox({ JUSTLOGIN_SANDBOX_REDIRECT_URIS: `http://localhost:${port}/callback` });
  });
  afterAll(() => sandbox.stop());

  /** Signs alice in on the sandbox's pages, answering `consent`; returns the app's answer to the redirect back. */
  async function sandboxSignIn(issuer: string, consent: boolean, pkce = true) {
    const app = makeApp(
      new JustLoginStrategy(
        {
          clientID: sandbox.clientID,
          clientSecret: sandbox.clientSecret,
          callbackURL: `http://localhost:${port}/callback`,
          baseURL: sandbox.origin,
          issuer,
          pkce,
        },
        verify,
      ),
    );
    const listening = await new Promise<Server>((resolve) => {
      const s = app.listen(port, '127.0.0.1', () => resolve(s));
    });
    try {
      const agent = request.agent(`http://localhost:${port}`);
      const { response: callback, callback: back } = await signInRecordingCallback(
        agent,
        '/login',
        DEMO_USERS[0],
        consent,
      );
      const failed = callback.headers.location === '/failed' ? await messages(agent) : [];
      return { back: back.params, callback, failed };
    } finally {
      await new Promise((resolve) => listening.close(resolve));
    }
  }

  it('completes the sign-in when the iss JustLogin sends is the configured issuer', async () => {
    const { back, callback } = await sandboxSignIn(sandbox.issuer, true);
    expect(back.get('iss')).toBe(sandbox.issuer);
    expect(callback.status).toBe(200);
  });

  it('refuses the response of an issuer other than the configured one without redeeming its code', async () => {
    // Without PKCE the code can be redeemed here afterwards: proof that the strategy did not spend it.
    const { back, failed } = await sandboxSignIn('https://apis.justlogin.com/v1/auth', true, false);
    expect(failed).toEqual([expect.stringMatching(/issuer/)]);
    const redeemed = await fetch(`${sandbox.issuer}/connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: back.get('code') ?? '',
        redirect_uri: `http://localhost:${port}/callback`,
        client_id: sandbox.clientID,
        client_secret: sandbox.clientSecret,
      }),
    });
    expect(redeemed.status).toBe(200);
  });

  it('answering No fails the sign-in with the user-did-not-allow message', async () => {
    const { back, failed } = await sandboxSignIn(sandbox.issuer, false);
    expect(back.get('error')).toBe('access_denied');
    expect(failed).toEqual(['The user did not allow the sign-in with JustLogin']);
  });
});
