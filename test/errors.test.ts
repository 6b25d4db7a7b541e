import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthorizationError, TokenError } from 'passport-oauth2';
import {
  IdTokenError,
  JustLoginApiError,
  JustLoginAuthorizationError,
  JustLoginError,
  JustLoginOptionsError,
  JustLoginRefresher,
  JustLoginRequestError,
  JustLoginStrategy,
  JustLoginTokenError,
  NoRefreshTokenError,
  type JustLoginFailure,
  type PassportRequestLike,
} from '../lib';
import { fakeIdToken, idTokenClaims } from './support/id-token';
import { TokenServer, tokenResponse, type Reply } from './support/token-server';
import { seeGuide } from './support/guide';

describe('one error family: every error of the package is a JustLoginError', () => {
  it.each([
    [
      'JustLoginTokenError invalid_grant',
      new JustLoginTokenError('refused', 'invalid_grant', 400),
      'invalid_grant',
      false,
      true,
    ],
    [
      'JustLoginTokenError invalid_token (the access token a refresh request carries is refused)',
      new JustLoginTokenError('refused', 'invalid_token', 401),
      'invalid_token',
      false,
      true,
    ],
    [
      'JustLoginTokenError invalid_client',
      new JustLoginTokenError('refused', 'invalid_client', 401),
      'invalid_client',
      false,
      false,
    ],
    [
      'JustLoginTokenError temporarily_unavailable',
      new JustLoginTokenError('busy', 'temporarily_unavailable', 400),
      'temporarily_unavailable',
      true,
      false,
    ],
    ['JustLoginTokenError HTTP 503', new JustLoginTokenError('down', 'server_error', 503), 'server_error', true, false],
    [
      'JustLoginAuthorizationError invalid_scope',
      new JustLoginAuthorizationError('bad scope', 'invalid_scope'),
      'invalid_scope',
      false,
      false,
    ],
    [
      'JustLoginAuthorizationError temporarily_unavailable',
      new JustLoginAuthorizationError('busy', 'temporarily_unavailable'),
      'temporarily_unavailable',
      true,
      false,
    ],
    [
      'JustLoginRequestError ETIMEDOUT',
      new JustLoginRequestError('timed out', 'ETIMEDOUT', { retryable: true }),
      'ETIMEDOUT',
      true,
      false,
    ],
    [
      'JustLoginRequestError EDECRYPT',
      new JustLoginRequestError('unreadable', 'EDECRYPT', { retryable: false }),
      'EDECRYPT',
      false,
      false,
    ],
    ['IdTokenError at sign-in', new IdTokenError('wrong audience', 'aud'), 'EBADIDTOKEN', false, false],
    [
      'IdTokenError of a refresh',
      new IdTokenError('other subject', 'sub', { reauthenticate: true }),
      'EBADIDTOKEN',
      false,
      true,
    ],
    ['NoRefreshTokenError', new NoRefreshTokenError(), 'ENOREFRESHTOKEN', false, true],
    [
      'JustLoginOptionsError',
      new JustLoginOptionsError('keepTokensFresh', ['`get` is required']),
      'EBADOPTIONS',
      false,
      false,
    ],
    [
      'JustLoginApiError',
      new JustLoginApiError('renewal refused', 'invalid_grant', { retryable: false, reauthenticate: true }),
      'invalid_grant',
      false,
      true,
    ],
  ])('%s', (_what, error, code, retryable, reauthenticate) => {
    expect(error).toBeInstanceOf(JustLoginError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: error.constructor.name, code, retryable, reauthenticate });
  });

  it('JustLoginTokenError keeps the HTTP status and the https error_uri', () => {
    const error = new JustLoginTokenError('The refresh token is invalid', 'invalid_grant', 400, 'https://docs/errors');
    expect(error).toMatchObject({
      name: 'JustLoginTokenError',
      message: `The refresh token is invalid${seeGuide('invalid_grant')}`,
      code: 'invalid_grant',
      status: 400,
      uri: 'https://docs/errors',
    });
  });

  it('JustLoginOptionsError lists its problems', () => {
    const error = new JustLoginOptionsError('JustLoginStrategy', ['`a` is required', '`b` must be a boolean']);
    expect(error.problems).toEqual(['`a` is required', '`b` must be a boolean']);
    expect(error.message).toBe(
      `passport-justlogin: JustLoginStrategy options are invalid:\n- \`a\` is required\n- \`b\` must be a boolean${seeGuide('EBADOPTIONS')}`,
    );
  });

  it.each([
    ['a plain Error', new Error('x')],
    ['a passport-oauth2 TokenError', new TokenError('x', 'invalid_grant')],
    ['an object that looks like one', { code: 'invalid_grant', retryable: false, reauthenticate: true }],
  ])('%s is not a JustLoginError', (_what, value) => {
    expect(value instanceof JustLoginError).toBe(false);
  });
});

describe('what a refresh fails with, from a real token endpoint', () => {
  let server: TokenServer;
  let refresher: JustLoginRefresher;

  beforeEach(async () => {
    server = await TokenServer.start();
    refresher = new JustLoginRefresher({
      clientID: 'client-id',
      clientSecret: 'client-secret-Qz4',
      tokenURL: server.url,
    });
  });
  afterEach(() => server.stop());

  const failure = () => refresher.refresh({ refreshToken: 'refresh-token-Hs8' }).catch((error: unknown) => error);

  it('a refused refresh token: sign in again', async () => {
    server.reply({ status: 400, body: { error: 'invalid_grant' } });
    const error = await failure();
    expect(error).toBeInstanceOf(JustLoginTokenError);
    expect(error).toMatchObject({ code: 'invalid_grant', retryable: false, reauthenticate: true });
  });

  it('JustLogin unavailable: try again later, the user stays signed in', async () => {
    server.reply({ status: 503, headers: { 'Content-Type': 'text/html' }, body: '<h1>Unavailable</h1>' });
    const error = await failure();
    expect(error).toBeInstanceOf(JustLoginRequestError);
    expect(error).toMatchObject({ code: 'EHTTPSTATUS', retryable: true, reauthenticate: false });
  });

  it('no refresh token: sign in again, without a request', async () => {
    const error = await refresher.refresh({ refreshToken: '' }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(NoRefreshTokenError);
    expect(error).toMatchObject({ code: 'ENOREFRESHTOKEN', retryable: false, reauthenticate: true });
    expect(server.requests).toHaveLength(0);
  });
});

describe('what the callback passes to Passport', () => {
  const ISSUER = 'https://apis.justlogin.com/v1/auth';
  let server: TokenServer;
  beforeEach(async () => {
    server = await TokenServer.start();
  });
  afterEach(() => server.stop());

  /** What the strategy did with one request: its error, or its failure's info and status. */
  interface Outcome {
    error?: unknown;
    info?: unknown;
    status?: number;
  }

  function strategy() {
    return new JustLoginStrategy(
      {
        clientID: 'client-abc',
        clientSecret: 'client-secret-Qz4',
        callbackURL: '/callback',
        baseURL: server.origin,
        issuer: ISSUER,
      },
      (_accessToken, _refreshToken, _params, profile, done) => done(null, { id: profile.id }),
    );
  }

  /** Runs one request on the strategy as Passport does (on an Object.create of it). */
  function run(base: JustLoginStrategy, req: PassportRequestLike): Promise<Outcome & { redirect?: string }> {
    const pass = Object.create(base) as JustLoginStrategy;
    return new Promise((resolve) => {
      pass.error = (error: unknown) => resolve({ error });
      pass.fail = (info: unknown, status?: number) => resolve({ info, status });
      pass.redirect = (redirect: string) => resolve({ redirect });
      pass.success = () => resolve({});
      pass.authenticate(req);
    });
  }

  /** Begins a sign-in and runs its callback with `params` (and the state, unless given). */
  async function callback(params: Record<string, string>, host = 'app.test', reply?: Reply): Promise<Outcome> {
    const base = strategy();
    const session: Record<string, unknown> = {};
    const begun = await run(base, { query: {}, session, headers: { host: 'app.test' }, url: '/login' });
    const login = new URL(begun.redirect ?? '');
    const nonce = login.searchParams.get('nonce');
    server.reply(reply ?? { body: tokenResponse({ id_token: fakeIdToken(idTokenClaims('client-abc', { nonce })) }) });
    const query = { state: login.searchParams.get('state') ?? '', ...params };
    return run(base, { query, session, headers: { host }, url: `/callback?${new URLSearchParams(query).toString()}` });
  }

  it('an OAuth error other than access_denied: a JustLoginAuthorizationError, not passport-oauth2’s AuthorizationError', async () => {
    const { error } = await callback({ error: 'invalid_scope', error_description: 'bad scope' });
    expect(error).toBeInstanceOf(JustLoginAuthorizationError);
    expect(error).toBeInstanceOf(JustLoginError);
    expect(error).not.toBeInstanceOf(AuthorizationError);
    expect(error).toMatchObject({
      code: 'invalid_scope',
      message: `bad scope${seeGuide('invalid_scope')}`,
      retryable: false,
    });
  });

  it.each<[string, Record<string, string>, string | undefined, JustLoginFailure['code'], number | undefined]>([
    ['the user said No', { error: 'access_denied' }, undefined, 'access_denied', undefined],
    ['a state that is not the one sent', { code: 'c1', state: 'forged' }, undefined, 'EBADSTATE', 403],
    ['an error that is not an OAuth error code', { error: 'bad"code' }, undefined, 'EBADCALLBACK', 400],
    ['no code', { session_state: 'x' }, undefined, 'EBADCALLBACK', 400],
    ['an iss other than the issuer', { code: 'c1', iss: 'https://evil.example' }, undefined, 'EBADISSUER', 403],
    ['a Host header that makes no callback URL', { code: 'c1' }, 'app example', 'EBADHOST', 400],
  ])('a failure carries a code: %s', async (_case, params, host, code, status) => {
    const outcome = await callback(params, host);
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe(status);
    expect(outcome.info).toEqual({ message: expect.any(String), code });
    expect(server.requests).toHaveLength(0);
  });

  it.each<[string, Reply, new (...args: never[]) => Error]>([
    ['a refused code', { status: 400, body: { error: 'invalid_grant' } }, JustLoginTokenError],
    ['an id_token that is not a JWT', { body: tokenResponse({ id_token: 'not-a-jwt' }) }, IdTokenError],
    ['a connection reset', 'reset', JustLoginRequestError],
  ])('the code exchange fails with a JustLoginError: %s', async (_case, reply, type) => {
    const { error } = await callback({ code: 'c1' }, 'app.test', reply);
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(JustLoginError);
  });
});

describe('the example apps', () => {
  /** Every source file of the example apps (Express, Fastify, Koa, NestJS on Express and on Fastify). */
  function sources(dir = join(__dirname, '..', 'example-app')): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sources(path);
      return /\.(?:[cm]?js|ts)$/.test(entry.name) ? [path] : [];
    });
  }

  it('branch on a failure’s or an error’s code, never on its message text', () => {
    const onMessage = [
      /\binfo\??\.message\b/,
      /\.test\(\s*(?:\w+\??\.)?message\s*\)/,
      /\bmessage\??\.(?:match|includes|startsWith|endsWith)\(/,
    ];
    const found = sources().flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => onMessage.some((pattern) => pattern.test(line)))
        .map((line) => `${path}: ${line.trim()}`),
    );
    expect(sources().length).toBeGreaterThan(5);
    expect(found).toEqual([]);
  });
});
