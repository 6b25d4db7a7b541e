// What the package publishes on its diagnostics channels, against a local server that plays JustLogin
// (token endpoint, discovery document, keys and API): each channel's messages and fields, and nothing
// built while nobody subscribes.
import { SignJWT } from 'jose';
import request from 'supertest';
import {
  backChannelLogout,
  JustLoginApi,
  JustLoginClient,
  JustLoginOptionsError,
  JustLoginRefresher,
  JustLoginRequestError,
  JustLoginStrategy,
  JustLoginTokenError,
  MemorySessionIndex,
  type JustLoginClientOptions,
  type JustLoginTokenSet,
  type JustLoginVerifyWithProfile,
} from '../lib';
import { retryClock } from '../lib/api/retry';
import { CHANNELS, observeSignIn, pathTemplate, trace } from '../lib/diagnostics';
import { signOutFlow, type SignOutOptions } from '../lib/sign-out/sign-out';
import { makeApp } from './support/app';
import { recordChannels, type Recorder } from './support/diagnostics';
import { freePort } from './support/free-port';
import { fakeIdToken, idTokenClaims } from './support/id-token';
import { signIdToken, signingKey } from './support/keys';
import { TokenServer, tokenResponse, type RecordedRequest, type Reply } from './support/token-server';

const CLIENT_ID = 'client-diagnostics';
const CLIENT_SECRET = 'client-secret-Dg7Kq2';
const TOKEN_PATH = '/v1/auth/connect/token';
const DISCOVERY_PATH = '/v1/auth/.well-known/openid-configuration';
const USER = '0BF91817E2E64B0C92F22FD24A9D4604';
const COMPANY = '5A1C3E0D9B7F4A2E8C6D1B3F5E7A9C0D';

let server: TokenServer;
let recorder: Recorder;
let nonce: string | null;
let tokenReply: (request: RecordedRequest) => Reply | Promise<Reply>;

beforeEach(async () => {
  server = await TokenServer.start();
  recorder = recordChannels();
  nonce = null;
  tokenReply = () => ({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims(CLIENT_ID, { nonce })) }) });
  server.reply((req) => (req.url === TOKEN_PATH ? tokenReply(req) : { status: 404 }));
});
afterEach(async () => {
  recorder.stop();
  await server.stop();
  jest.restoreAllMocks();
});

const clientFor = (options: Partial<JustLoginClientOptions> = {}) =>
  new JustLoginClient({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, baseURL: server.origin, ...options });
const verify: JustLoginVerifyWithProfile = (_at, _rt, profile, done) => done(null, { id: profile.id });

/** Starts a sign-in on `strategy`'s app and comes back to its callback with `query` (default: a code and the state). */
async function signIn(strategy: JustLoginStrategy, query?: (state: string) => string) {
  const agent = request.agent(makeApp(strategy));
  const login = new URL((await agent.get('/login')).headers.location);
  nonce = login.searchParams.get('nonce');
  const state = login.searchParams.get('state') ?? '';
  return agent.get(`/callback?${query ? query(state) : new URLSearchParams({ code: 'code-1', state }).toString()}`);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const expired = (overrides: Partial<JustLoginTokenSet> = {}): JustLoginTokenSet => ({
  accessToken: 'access-token-old',
  refreshToken: 'refresh-token-old',
  tokenType: 'Bearer',
  expiresAt: nowSeconds() - 10,
  ...overrides,
});

describe('while nobody subscribes', () => {
  it('builds no context: the traced function runs alone', async () => {
    recorder.stop();
    const context = jest.fn(() => ({ grantType: 'refresh_token', origin: 'o', path: 'p' }));
    const run = jest.fn(() => Promise.resolve(42));
    await expect(trace('token', context, run)).resolves.toBe(42);
    expect(context).not.toHaveBeenCalled();
    expect(run).toHaveBeenCalledWith(undefined);
  });

  it('leaves the strategy as it is for the callback', () => {
    recorder.stop();
    const strategy = { success() {}, fail() {}, error() {} };
    expect(observeSignIn(strategy)).toBe(strategy);
  });
});

describe('passport-justlogin:token', () => {
  it("traces the code exchange: grant type, the endpoint's origin and path, then status and expiresIn", async () => {
    const res = await signIn(new JustLoginStrategy({ client: clientFor(), callbackURL: '/callback' }, verify));
    expect(res.status).toBe(200);
    const events = recorder.all.filter((r) => r.channel === CHANNELS.token).map((r) => r.event);
    expect(events).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    const start = { grantType: 'authorization_code', origin: server.origin, path: TOKEN_PATH };
    expect(recorder.of(CHANNELS.token, 'start')).toEqual([start]);
    expect(recorder.of(CHANNELS.token)).toEqual([{ ...start, status: 200, expiresIn: 3600 }]);
  });

  it("traces a refused refresh with the package's typed error and the status", async () => {
    tokenReply = () => ({ status: 400, body: { error: 'invalid_grant' } });
    const refresher = new JustLoginRefresher({ client: clientFor() });
    await expect(refresher.refresh({ refreshToken: 'refresh-token-old' })).rejects.toThrow(JustLoginTokenError);
    const [ended] = recorder.of(CHANNELS.token);
    expect(ended).toMatchObject({ grantType: 'refresh_token', status: 400 });
    expect(ended).not.toHaveProperty('expiresIn');
    expect(ended.error).toBeInstanceOf(JustLoginTokenError);
    expect(ended.error).toMatchObject({ code: 'invalid_grant', retryable: false, reauthenticate: true });
    expect(recorder.of(CHANNELS.token, 'error')).toEqual([ended]);
  });

  it('traces a request that reached nobody: the connection code, no status', async () => {
    const client = clientFor({ tokenURL: `http://127.0.0.1:${await freePort()}/token` });
    await expect(new JustLoginRefresher({ client }).refresh({ refreshToken: 'r' })).rejects.toThrow(
      JustLoginRequestError,
    );
    const [ended] = recorder.of(CHANNELS.token);
    expect(ended).toMatchObject({ path: '/token', error: { code: 'ECONNREFUSED', retryable: true } });
    expect(ended).not.toHaveProperty('status');
  });
});

describe('passport-justlogin:sign-in', () => {
  const strategy = () => new JustLoginStrategy({ client: clientFor(), callbackURL: '/callback' }, verify);

  it("puts Passport's actions back when the callback ends, and publishes once", () => {
    const calls: string[] = [];
    const actions = {
      success: (..._args: unknown[]) => calls.push('success'),
      fail: (..._args: unknown[]) => calls.push('fail'),
      error: (..._args: unknown[]) => calls.push('error'),
    };
    const passports = { ...actions };
    expect(observeSignIn(actions)).toBe(actions);
    expect(actions.fail).not.toBe(passports.fail);
    actions.fail({ message: 'Invalid authorization request state.', code: 'EBADSTATE' }, 403);
    expect(actions).toEqual(passports);
    actions.error(new Error('after the end'));
    expect(calls).toEqual(['fail', 'error']);
    expect(recorder.of(CHANNELS.signIn)).toEqual([
      { outcome: 'failure', code: 'EBADSTATE', durationMs: expect.any(Number) },
    ]);
  });

  it('publishes one success at the end of the callback, with its duration, and nothing when the sign-in starts', async () => {
    await request(makeApp(strategy())).get('/login').expect(302);
    expect(recorder.of(CHANNELS.signIn)).toEqual([]);
    expect((await signIn(strategy())).status).toBe(200);
    expect(recorder.of(CHANNELS.signIn)).toEqual([{ outcome: 'success', durationMs: expect.any(Number) }]);
    expect(recorder.of(CHANNELS.signIn)[0].durationMs).toBeGreaterThan(0);
  });

  it.each([
    ['a state that is not the one sent', () => 'code=code-1&state=forged', 'EBADSTATE'],
    ['the user saying No', (state: string) => `error=access_denied&state=${state}`, 'access_denied'],
    ['a code given twice', (state: string) => `code=a&code=b&state=${state}`, 'EBADCALLBACK'],
  ])('publishes a failure with the code of fail() for %s', async (_case, query, code) => {
    const res = await signIn(strategy(), query);
    expect(res.headers.location).toBe('/failed');
    expect(recorder.of(CHANNELS.signIn)).toEqual([{ outcome: 'failure', code, durationMs: expect.any(Number) }]);
  });

  it("publishes a failure with the error's code when the code exchange is refused", async () => {
    tokenReply = () => ({ status: 400, body: { error: 'invalid_grant' } });
    expect((await signIn(strategy())).status).toBe(500);
    expect(recorder.of(CHANNELS.signIn)).toEqual([
      { outcome: 'failure', code: 'invalid_grant', durationMs: expect.any(Number) },
    ]);
  });

  it("publishes a failure without a code when the app's verify refuses the user without one", async () => {
    const refuse: JustLoginVerifyWithProfile = (_at, _rt, _profile, done) => done(null, false, { message: 'no' });
    const refusing = new JustLoginStrategy({ client: clientFor(), callbackURL: '/callback' }, refuse);
    expect((await signIn(refusing)).headers.location).toBe('/failed');
    expect(recorder.of(CHANNELS.signIn)).toEqual([{ outcome: 'failure', durationMs: expect.any(Number) }]);
  });
});

describe('passport-justlogin:keys and passport-justlogin:discovery', () => {
  it('traces the discovery document and the key set a sign-in reads, and a failed read', async () => {
    const key = await signingKey('k1');
    let discovery: Reply = { body: { issuer: `${server.origin}/v1/auth`, jwks_uri: `${server.origin}/keys` } };
    server.reply(async (req) => {
      if (req.url === DISCOVERY_PATH) return discovery;
      if (req.url === '/keys') return { body: { keys: [key.jwk] } };
      const claims = idTokenClaims(CLIENT_ID, { nonce, iss: `${server.origin}/v1/auth` });
      return { body: tokenResponse({ id_token: await signIdToken(claims, key) }) };
    });
    const client = clientFor({ discovery: true, verifyIdTokenSignature: true });
    expect((await signIn(new JustLoginStrategy({ client, callbackURL: '/callback' }, verify))).status).toBe(200);
    expect(recorder.of(CHANNELS.discovery)).toEqual([{ origin: server.origin, path: DISCOVERY_PATH, status: 200 }]);
    expect(recorder.of(CHANNELS.keys)).toEqual([{ origin: server.origin, path: '/keys', status: 200 }]);

    discovery = { status: 503, body: 'down' };
    await expect(clientFor({ discovery: true }).metadata()).rejects.toThrow(JustLoginRequestError);
    expect(recorder.of(CHANNELS.discovery)[1]).toMatchObject({ status: 503, error: { code: 'EHTTPSTATUS' } });
  });
});

describe('passport-justlogin:api', () => {
  it.each([
    ['/membership/v3/users', '/membership/v3/users'],
    [`/membership/v3/users/${USER}`, '/membership/v3/users/{userGuid}'],
    [
      `/payroll/employee-management/v1/users/${USER}/payinfo`,
      '/payroll/employee-management/v1/users/{userGuid}/payinfo',
    ],
    [
      `/leave/setup/leave/v2/companies/${COMPANY}/users/${USER}/leavetypes/12/leavesummary`,
      '/leave/setup/leave/v2/companies/{companyGuid}/users/{userGuid}/leavetypes/{leaveTypeId}/leavesummary',
    ],
    ['/things/0bf91817-e2e6-4b0c-92f2-2fd24a9d4604/7', '/things/{guid}/{id}'],
    [`/constructor/${USER}/__proto__/1`, '/constructor/{guid}/__proto__/{id}'],
  ])('names the GUIDs and numbers of %s', (path, template) => {
    expect(pathTemplate(path)).toBe(template);
  });

  it('traces each call with its method, path template, status, attempts and renewal', async () => {
    jest.spyOn(retryClock, 'sleep').mockResolvedValue(undefined);
    const api: Reply[] = [{ status: 503 }, { body: { userGuid: USER } }, { status: 401 }, { body: { userGuid: USER } }];
    server.reply((req) =>
      req.url === TOKEN_PATH
        ? { body: tokenResponse({ access_token: 'access-token-renewed', refresh_token: 'refresh-token-new' }) }
        : (api.shift() ?? { status: 500 }),
    );
    const tokens = expired({ expiresAt: nowSeconds() + 3600 });
    const client = new JustLoginApi({ refresher: new JustLoginRefresher({ client: clientFor() }), tokens });
    await client.employees.get(USER);
    await client.employees.get(USER);
    expect(recorder.of(CHANNELS.api, 'start')).toEqual([
      { method: 'GET', path: '/membership/v3/users/{userGuid}', attempt: 0, renewed: false },
      { method: 'GET', path: '/membership/v3/users/{userGuid}', attempt: 0, renewed: false },
    ]);
    expect(recorder.of(CHANNELS.api)).toEqual([
      { method: 'GET', path: '/membership/v3/users/{userGuid}', attempt: 2, renewed: false, status: 200 },
      { method: 'GET', path: '/membership/v3/users/{userGuid}', attempt: 2, renewed: true, status: 200 },
    ]);
  });

  it('traces a call whose access token was renewed before it, and a call that failed', async () => {
    server.reply((req) =>
      req.url === TOKEN_PATH
        ? { body: tokenResponse({ access_token: 'access-token-renewed' }) }
        : { status: 404, body: { message: 'no such user' } },
    );
    const client = new JustLoginApi({ refresher: new JustLoginRefresher({ client: clientFor() }), tokens: expired() });
    await expect(client.employees.get(USER)).rejects.toMatchObject({ code: 'EHTTPSTATUS', status: 404 });
    expect(recorder.of(CHANNELS.api)).toEqual([
      {
        method: 'GET',
        path: '/membership/v3/users/{userGuid}',
        attempt: 1,
        renewed: true,
        status: 404,
        error: expect.objectContaining({ code: 'EHTTPSTATUS', retryable: false, reauthenticate: false }),
      },
    ]);
  });
});

describe('passport-justlogin:revocation, passport-justlogin:sign-out and passport-justlogin:back-channel-logout', () => {
  const REVOCATION_PATH = '/v1/auth/connect/revocation';
  const tokens: JustLoginTokenSet = {
    accessToken: 'access-token-So1',
    refreshToken: 'refresh-token-So1',
    idToken: fakeIdToken(idTokenClaims(CLIENT_ID)),
    tokenType: 'Bearer',
    expiresAt: Date.now() + 3_600_000,
  };
  const logger = { warn: jest.fn() };
  const signOut = (options: Partial<SignOutOptions<object>> = {}) =>
    signOutFlow<object>('signOutHandler', { client: clientFor(), logger, ...options }, { tokens: () => tokens });

  it('traces a revocation with its status, and a refused one with its error; an invalid argument is not traced', async () => {
    server.reply((req) =>
      req.form.token === 'refused' ? { status: 400, body: { error: 'invalid_client' } } : { body: '' },
    );
    await clientFor().revoke('refresh-token-Rv1', { tokenTypeHint: 'refresh_token' });
    await expect(clientFor().revoke('refused')).rejects.toMatchObject({ code: 'invalid_client' });
    await expect(clientFor().revoke('')).rejects.toBeInstanceOf(JustLoginOptionsError);
    const place = { origin: server.origin, path: REVOCATION_PATH };
    expect(recorder.of(CHANNELS.revocation, 'start')).toEqual([place, place]);
    expect(recorder.of(CHANNELS.revocation)).toEqual([
      { ...place, status: 200 },
      { ...place, status: 400, error: expect.objectContaining({ code: 'invalid_client', reauthenticate: false }) },
    ]);
  });

  it('publishes a sign-out that revoked the refresh token and sent the browser to end the session', async () => {
    server.reply({ body: '' });
    const answer = await signOut()({}, () => Promise.resolve());
    expect(answer.location).toMatch(/\/v1\/auth\/connect\/endsession\?/);
    expect(recorder.of(CHANNELS.signOut)).toEqual([
      { outcome: 'signed-out', revoked: true, endSession: true, durationMs: expect.any(Number) },
    ]);
    expect(recorder.of(CHANNELS.signOut)[0].durationMs).toBeGreaterThan(0);
  });

  it("publishes a sign-out whose revocation was refused with the step's code, and one without tokens", async () => {
    server.reply({ status: 400, body: { error: 'invalid_client' } });
    await signOut()({}, () => Promise.resolve());
    await signOutFlow<object>(
      'signOutHandler',
      { client: clientFor(), logger },
      { tokens: () => undefined },
    )({}, () => Promise.resolve());
    expect(recorder.of(CHANNELS.signOut)).toEqual([
      {
        outcome: 'signed-out',
        revoked: false,
        endSession: true,
        code: 'invalid_client',
        durationMs: expect.any(Number),
      },
      { outcome: 'signed-out', revoked: false, endSession: true, durationMs: expect.any(Number) },
    ]);
  });

  it('publishes a failed sign-out when the local session could not end, with its code', async () => {
    const failing = () => Promise.reject(Object.assign(new Error('the session store is down'), { code: 'ESTOREDOWN' }));
    await expect(signOut()({}, failing)).rejects.toThrow('the session store is down');
    expect(recorder.of(CHANNELS.signOut)).toEqual([
      { outcome: 'failed', revoked: false, endSession: false, code: 'ESTOREDOWN', durationMs: expect.any(Number) },
    ]);
    expect(server.requests).toEqual([]);
  });

  it('publishes each back-channel logout: the sessions it ended, or why it was refused or failed', async () => {
    const key = await signingKey('key-bc');
    server.reply((req) => (req.url.endsWith('/jwks') ? { body: { keys: [key.jwk] } } : { status: 404 }));
    const now = Math.floor(Date.now() / 1000);
    const logoutToken = (jti: string) =>
      new SignJWT({
        iss: `${server.origin}/v1/auth`,
        aud: CLIENT_ID,
        iat: now,
        jti,
        sub: USER,
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'logout+jwt' })
        .sign(key.privateKey);
    const sessions = new MemorySessionIndex();
    await sessions.add('session-a', { sub: USER });
    await sessions.add('session-b', { sub: USER });
    const logout = backChannelLogout({ client: clientFor(), sessions, destroySession: () => undefined });
    const failing = backChannelLogout({
      client: clientFor(),
      sessions: {
        add: () => Promise.resolve(),
        remove: () => Promise.resolve(),
        take: () => Promise.reject(new Error('Redis is down')),
      },
      destroySession: () => undefined,
    });
    const first = await logoutToken('jti-1');
    expect(await logout(first)).toEqual({ status: 200 });
    expect((await logout(first)).status).toBe(400);
    expect((await logout(undefined)).status).toBe(400);
    expect((await failing(await logoutToken('jti-2'))).status).toBe(400);
    expect(recorder.of(CHANNELS.backChannelLogout)).toEqual([
      { outcome: 'ended', sessions: 2, durationMs: expect.any(Number) },
      { outcome: 'refused', code: 'ELOGOUTREPLAY', sessions: 0, durationMs: expect.any(Number) },
      { outcome: 'refused', code: 'ELOGOUTFORMAT', sessions: 0, durationMs: expect.any(Number) },
      { outcome: 'failed', sessions: 0, durationMs: expect.any(Number) },
    ]);
  });
});
