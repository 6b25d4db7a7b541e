import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import {
  IdTokenError,
  JustLoginOptionsError,
  JustLoginRequestError,
  JustLoginTokenError,
  NoRefreshTokenError,
} from '../../lib/errors';
import {
  JustLoginRefresher,
  type JustLoginRefresherOptions,
  type JustLoginRefresherOwnOptions,
  type RefreshCoordinator,
} from '../../lib/renewal/refresher';
import type { JustLoginClientOptions } from '../../lib/client/client';
import { JustLoginStrategy } from '../../lib/sign-in/strategy';
import type { JustLoginTokenSet } from '../../lib/token-set';
import { fakeIdToken, idTokenClaims } from '../support/id-token';
import { signIdToken, signingKey } from '../support/keys';
import { rotatingTokens } from '../support/rotating-tokens';
import { TokenServer, tokenResponse, type Reply, type Responder } from '../support/token-server';

const CLIENT_ID = 'client-id-refresh-test';
const CLIENT_SECRET = 'client-secret-Zq8xW2vK';
const REFRESH_TOKEN = 'refresh-token-used-7Hd3Lp';
const ACCESS_TOKEN = 'access-token-used-9Gk2Mn';

let server: TokenServer;

beforeEach(async () => {
  server = await TokenServer.start();
});

afterEach(async () => {
  await server.stop();
});

function refresherFor(
  options: Partial<JustLoginClientOptions & JustLoginRefresherOwnOptions> = {},
): JustLoginRefresher {
  return new JustLoginRefresher({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenURL: server.url, ...options });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A frozen token set whose access token expired ten seconds ago. */
function expiredTokens(overrides: Partial<JustLoginTokenSet> = {}): Readonly<JustLoginTokenSet> {
  return Object.freeze({
    accessToken: ACCESS_TOKEN,
    refreshToken: REFRESH_TOKEN,
    idToken: 'id-token-old',
    tokenType: 'Bearer',
    scope: 'openid',
    expiresIn: 3600,
    expiresAt: nowSeconds() - 10,
    ...overrides,
  });
}

function expectNoSecrets(error: unknown): void {
  const text = `${inspect(error)} ${String(error)} ${(error as Error).stack}`;
  for (const secret of [CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN]) expect(text).not.toContain(secret);
}

/** An OAuth error whose description and URI echo everything the client sent. */
const echoing =
  (status: number, error: string): Responder =>
  (request) => ({
    status,
    body: {
      error,
      error_description: `${request.form.client_secret} ${request.form.refresh_token} ${request.headers.authorization}`,
      error_uri: `https://example.test/?secret=${request.form.client_secret}&rt=${request.form.refresh_token}`,
    },
  });

describe('JustLoginRefresher options', () => {
  it.each([
    ['clientID', { clientID: '' }],
    ['clientID', { clientID: undefined }],
    ['clientSecret', { clientSecret: '' }],
    ['environment', { tokenURL: undefined, environment: 'test' as 'staging' }],
    ['baseURL', { tokenURL: undefined, baseURL: 'ftp://example.test' }],
    ['tokenURL', { tokenURL: 'not a url' }],
    ['timeout', { timeout: 0 }],
    ['timeout', { timeout: Number.NaN }],
    ['coordinator', { coordinator: {} as RefreshCoordinator }],
    ['graceMs', { graceMs: -1 }],
    ['graceMs', { graceMs: 1.5 }],
    ['graceMs', { graceMs: Number.NaN }],
    ['graceMs', { graceMs: Infinity }],
    ['graceMs', { graceMs: '60000' as unknown as number }],
    ['issuer', { issuer: '' }],
    ['issuer', { issuer: 42 as unknown as string }],
    ['clockTolerance', { clockTolerance: -1 }],
    ['clockTolerance', { clockTolerance: Number.NaN }],
    ['clockTolerance', { clockTolerance: '60' as unknown as number }],
  ])('throws a JustLoginOptionsError naming `%s`', (option, overrides) => {
    expect(() => refresherFor(overrides)).toThrow(JustLoginOptionsError);
    expect(() => refresherFor(overrides)).toThrow(`\`${option}\``);
  });

  it('throws a JustLoginOptionsError without options', () => {
    expect(() => new JustLoginRefresher(undefined as unknown as JustLoginRefresherOptions)).toThrow(
      JustLoginOptionsError,
    );
  });

  it('refuses plain http:// to a host other than loopback unless allowInsecureRequests is set', () => {
    const insecure = { tokenURL: undefined, baseURL: 'http://idp.example.test' };
    expect(() => refresherFor(insecure)).toThrow(/`baseURL`.*allowInsecureRequests/);
    expect(() => refresherFor({ ...insecure, allowInsecureRequests: true })).not.toThrow();
    expect(() => refresherFor({ ...insecure, allowInsecureRequests: 'yes' as unknown as boolean })).toThrow(
      '`allowInsecureRequests`',
    );
  });

  it('builds the token URL from baseURL', async () => {
    await refresherFor({ tokenURL: undefined, baseURL: `${server.origin}/` }).refresh({ refreshToken: REFRESH_TOKEN });
    expect(server.requests[0].url).toBe('/v1/auth/connect/token');
  });
});

describe('JustLoginRefresher.refresh', () => {
  it('sends exactly the form JustLogin documents, with the Bearer header', async () => {
    await refresherFor().refresh({ refreshToken: REFRESH_TOKEN, accessToken: ACCESS_TOKEN });

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/auth/connect/token');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request.body).toBe(
      `grant_type=refresh_token&refresh_token=${REFRESH_TOKEN}&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`,
    );
  });

  it('sends no Authorization header without an access token', async () => {
    await refresherFor().refresh({ refreshToken: REFRESH_TOKEN });

    const [request] = server.requests;
    expect(request.headers.authorization).toBeUndefined();
    expect(Object.keys(request.form)).toEqual(['grant_type', 'refresh_token', 'client_id', 'client_secret']);
  });

  it('form-encodes tokens', async () => {
    await refresherFor().refresh({ refreshToken: 'a+b/c=d e&f' });

    expect(server.requests[0].body).toBe(
      `grant_type=refresh_token&refresh_token=a%2Bb%2Fc%3Dd+e%26f&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`,
    );
  });

  it('returns the rotated refresh token when JustLogin sends one', async () => {
    const idToken = fakeIdToken(idTokenClaims(CLIENT_ID));
    server.reply({
      body: tokenResponse({ access_token: 'access-new', refresh_token: 'refresh-new', id_token: idToken }),
    });

    const tokens = await refresherFor().refresh({ refreshToken: REFRESH_TOKEN, accessToken: ACCESS_TOKEN });

    expect(tokens).toEqual({
      accessToken: 'access-new',
      refreshToken: 'refresh-new',
      idToken,
      tokenType: 'Bearer',
      scope: 'openid',
      expiresIn: 3600,
      expiresAt: expect.any(Number),
    });
  });

  it('keeps the refresh token used when JustLogin sends none', async () => {
    server.reply({ body: tokenResponse({ access_token: 'access-new', refresh_token: undefined }) });

    const tokens = await refresherFor().refresh({ refreshToken: REFRESH_TOKEN });

    expect(tokens.accessToken).toBe('access-new');
    expect(tokens.refreshToken).toBe(REFRESH_TOKEN);
  });

  it('computes expiresAt from expires_in when the response arrives', async () => {
    let now = 1_700_000_000_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    server.reply(() => {
      now = 1_800_000_000_000; // time passes while JustLogin answers
      return { body: tokenResponse({ expires_in: 1800 }) };
    });
    try {
      const tokens = await refresherFor().refresh({ refreshToken: REFRESH_TOKEN });
      expect(tokens.expiresIn).toBe(1800);
      expect(tokens.expiresAt).toBe(1_800_000_000 + 1800);
    } finally {
      clock.mockRestore();
    }
  });

  it('accepts token_type "bearer" in any case', async () => {
    server.reply({ body: tokenResponse({ token_type: 'bearer' }) });

    await expect(refresherFor().refresh({ refreshToken: REFRESH_TOKEN })).resolves.toMatchObject({
      accessToken: 'access-token-0001',
    });
  });

  it('rejects an empty refresh token without a request', async () => {
    const error = await refresherFor()
      .refresh({ refreshToken: '' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NoRefreshTokenError);
    expect(error).toMatchObject({ code: 'ENOREFRESHTOKEN', retryable: false });
    expect(server.requests).toHaveLength(0);
  });
});

describe('JustLoginRefresher.ensureFresh', () => {
  it('returns the very same object while the access token is fresh', async () => {
    const refresher = refresherFor();
    const fresh = expiredTokens({ expiresAt: nowSeconds() + 3600 });
    const noExpiry = expiredTokens({ expiresAt: undefined });

    await expect(refresher.ensureFresh(fresh)).resolves.toBe(fresh);
    await expect(refresher.ensureFresh(noExpiry)).resolves.toBe(noExpiry);
    expect(server.requests).toHaveLength(0);
  });

  it('renews within skewMs of expiry (default 60000)', async () => {
    const refresher = refresherFor();
    const soon = expiredTokens({ expiresAt: nowSeconds() + 30 });

    await expect(refresher.ensureFresh(soon, { skewMs: 10_000 })).resolves.toBe(soon);
    expect(server.requests).toHaveLength(0);

    const renewed = await refresher.ensureFresh(soon);
    expect(renewed).not.toBe(soon);
    expect(server.requests).toHaveLength(1);
  });

  it('refreshes expired tokens with their refresh token and access token, leaving them untouched', async () => {
    server.reply({ body: tokenResponse({ access_token: 'access-new', refresh_token: 'refresh-new' }) });
    const tokens = expiredTokens();
    const before = structuredClone(tokens);

    const renewed = await refresherFor().ensureFresh(tokens);

    expect(renewed).toMatchObject({ accessToken: 'access-new', refreshToken: 'refresh-new' });
    expect(renewed.expiresAt).toBeGreaterThanOrEqual(nowSeconds() + 3600 - 5);
    expect(tokens).toEqual(before);
    const [request] = server.requests;
    expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request.form.refresh_token).toBe(REFRESH_TOKEN);
  });

  it('rejects with ENOREFRESHTOKEN, without a request, when a refresh is due and there is no refresh token', async () => {
    const tokens = expiredTokens({ refreshToken: undefined });

    const error = await refresherFor()
      .ensureFresh(tokens)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NoRefreshTokenError);
    expect(error).toMatchObject({ code: 'ENOREFRESHTOKEN', retryable: false });
    expect(server.requests).toHaveLength(0);
    expectNoSecrets(error);
  });
});

describe('single flight', () => {
  it('makes one request for 50 concurrent callers, who all get the same result', async () => {
    const refresher = refresherFor();
    const tokens = expiredTokens();

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 2 ? refresher.ensureFresh(tokens) : refresher.refresh({ refreshToken: REFRESH_TOKEN }),
      ),
    );

    expect(server.requests).toHaveLength(1);
    for (const result of results) expect(result).toBe(results[0]);
    expect(results[0].accessToken).toBe('access-token-0001');
  });

  it('gives all 50 concurrent callers the same error', async () => {
    server.reply({ status: 400, body: { error: 'invalid_grant' } });
    const refresher = refresherFor();

    const errors = await Promise.all(
      Array.from({ length: 50 }, () => refresher.refresh({ refreshToken: REFRESH_TOKEN }).catch((e: unknown) => e)),
    );

    expect(server.requests).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(JustLoginTokenError);
    for (const error of errors) expect(error).toBe(errors[0]);
  });

  it('forgets a failed refresh, and a refresh that did not rotate the refresh token, once it settles', async () => {
    const refresher = refresherFor();
    server.reply({ status: 500, body: 'down' });
    await expect(refresher.refresh({ refreshToken: REFRESH_TOKEN })).rejects.toMatchObject({ retryable: true });

    server.reply({ body: tokenResponse({ refresh_token: undefined }) });
    await expect(refresher.refresh({ refreshToken: REFRESH_TOKEN })).resolves.toMatchObject({
      refreshToken: REFRESH_TOKEN,
    });
    // The refresh token is still valid: renewing with it again asks JustLogin again.
    server.reply({ body: tokenResponse({ access_token: 'access-third', refresh_token: undefined }) });
    await expect(refresher.refresh({ refreshToken: REFRESH_TOKEN })).resolves.toMatchObject({
      accessToken: 'access-third',
    });
    expect(server.requests).toHaveLength(3);
  });

  it('runs refreshes of different refresh tokens separately', async () => {
    const refresher = refresherFor();

    await Promise.all([
      refresher.refresh({ refreshToken: 'refresh-one' }),
      refresher.refresh({ refreshToken: 'refresh-two' }),
    ]);

    expect(server.requests.map((r) => r.form.refresh_token).sort()).toEqual(['refresh-one', 'refresh-two']);
  });

  it('hands a plugged-in coordinator the SHA-256 of the refresh token, never the token', async () => {
    const keys: string[] = [];
    const coordinator: RefreshCoordinator = {
      run(key, task) {
        keys.push(key);
        return task();
      },
    };

    await refresherFor({ coordinator }).refresh({ refreshToken: REFRESH_TOKEN });

    expect(keys).toEqual([createHash('sha256').update(REFRESH_TOKEN).digest('hex')]);
    expect(server.requests).toHaveLength(1);
  });
});

describe('faults', () => {
  interface Fault {
    reply: Reply | Responder;
    code: string;
    retryable: boolean;
    type: typeof JustLoginTokenError | typeof JustLoginRequestError;
    timeout?: number;
  }
  const html = { 'Content-Type': 'text/html' };
  const big = JSON.stringify(tokenResponse({ padding: 'x'.repeat(2 * 1024 * 1024) }));
  const faults: Record<string, Fault> = {
    'invalid_grant (400)': {
      reply: echoing(400, 'invalid_grant'),
      code: 'invalid_grant',
      retryable: false,
      type: JustLoginTokenError,
    },
    'invalid_client (401)': {
      reply: echoing(401, 'invalid_client'),
      code: 'invalid_client',
      retryable: false,
      type: JustLoginTokenError,
    },
    'server_error (500 JSON)': {
      reply: echoing(500, 'server_error'),
      code: 'server_error',
      retryable: true,
      type: JustLoginTokenError,
    },
    '500 HTML': {
      reply: { status: 500, headers: html, body: `<h1>Error</h1>${CLIENT_SECRET}` },
      code: 'EHTTPSTATUS',
      retryable: true,
      type: JustLoginRequestError,
    },
    '200 not JSON': {
      reply: { headers: html, body: '<h1>OK</h1>' },
      code: 'EBADRESPONSE',
      retryable: true,
      type: JustLoginRequestError,
    },
    'no access_token': {
      reply: { body: tokenResponse({ access_token: undefined }) },
      code: 'EBADRESPONSE',
      retryable: false,
      type: JustLoginRequestError,
    },
    'token_type mac': {
      reply: { body: tokenResponse({ token_type: 'mac' }) },
      code: 'EBADRESPONSE',
      retryable: false,
      type: JustLoginRequestError,
    },
    '2 MiB body, streamed': { reply: { body: big }, code: 'ETOOLARGE', retryable: false, type: JustLoginRequestError },
    '2 MiB body, announced': {
      reply: { headers: { 'Content-Length': String(Buffer.byteLength(big)) }, body: big },
      code: 'ETOOLARGE',
      retryable: false,
      type: JustLoginRequestError,
    },
    'no answer (timeout)': {
      reply: 'hang',
      code: 'ETIMEDOUT',
      retryable: true,
      type: JustLoginRequestError,
      timeout: 200,
    },
    'connection reset': { reply: 'reset', code: 'ECONNRESET', retryable: true, type: JustLoginRequestError },
  };

  it.each(Object.entries(faults))('%s', async (_name, fault) => {
    server.reply(fault.reply);
    const tokens = expiredTokens();
    const before = structuredClone(tokens);

    const error = await refresherFor({ timeout: fault.timeout })
      .ensureFresh(tokens)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(fault.type);
    expect(error).toMatchObject({ code: fault.code, retryable: fault.retryable });
    if (fault.retryable) expect((error as Error).message).toMatch(/may be retried/);
    expect(tokens).toEqual(before);
    expectNoSecrets(error);
    expect(server.requests).toHaveLength(1);
  });

  it('nothing listening (ECONNREFUSED)', async () => {
    const refresher = refresherFor();
    await server.stop(); // stopping it again in afterEach is harmless
    const tokens = expiredTokens();
    const before = structuredClone(tokens);

    const error = await refresher.ensureFresh(tokens).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JustLoginRequestError);
    expect(error).toMatchObject({ code: 'ECONNREFUSED', retryable: true });
    expect((error as Error).message).toMatch(/may be retried/);
    expect(tokens).toEqual(before);
    expectNoSecrets(error);
  });
});

describe('JustLoginRefresher.fromStrategy', () => {
  function strategyFor(options: Partial<JustLoginClientOptions> = {}): JustLoginStrategy {
    return new JustLoginStrategy(
      {
        clientID: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        callbackURL: '/callback',
        baseURL: server.origin,
        ...options,
      },
      (_accessToken, _refreshToken, _params, _profile, done) => done(null, false),
    );
  }

  it("uses the strategy's very client", async () => {
    const strategy = strategyFor();
    const refresher = JustLoginRefresher.fromStrategy(strategy);

    await refresher.refresh({ refreshToken: REFRESH_TOKEN, accessToken: ACCESS_TOKEN });

    expect(refresher.client).toBe(strategy.client);
    const [sent] = server.requests;
    expect(sent.url).toBe('/v1/auth/connect/token');
    expect(sent.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(sent.body).toBe(
      `grant_type=refresh_token&refresh_token=${REFRESH_TOKEN}&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`,
    );
  });

  it("keeps the strategy's timeout", async () => {
    server.reply('hang');

    const error = await JustLoginRefresher.fromStrategy(strategyFor({ timeout: 200 }))
      .refresh({ refreshToken: REFRESH_TOKEN })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'ETIMEDOUT', retryable: true });
  });

  it('accepts a coordinator', async () => {
    const keys: string[] = [];
    const coordinator: RefreshCoordinator = {
      run(key, task) {
        keys.push(key);
        return task();
      },
    };

    await JustLoginRefresher.fromStrategy(strategyFor(), { coordinator }).refresh({ refreshToken: REFRESH_TOKEN });

    expect(keys).toEqual([createHash('sha256').update(REFRESH_TOKEN).digest('hex')]);
    expect(server.requests).toHaveLength(1);
  });

  it('throws a JustLoginOptionsError for anything but a JustLoginStrategy', () => {
    expect(() => JustLoginRefresher.fromStrategy({} as JustLoginStrategy)).toThrow(JustLoginOptionsError);
  });
});

describe('grace window: a renewal is remembered for the refresh token it spent', () => {
  const keyOf = (refreshToken: string) => createHash('sha256').update(refreshToken).digest('hex');

  it('gives a late caller with the spent refresh token the renewed set, without a request', async () => {
    const rotation = rotatingTokens(REFRESH_TOKEN);
    server.reply(rotation.responder);
    const refresher = refresherFor();

    const first = await refresher.ensureFresh(expiredTokens());
    const late = await refresher.ensureFresh(expiredTokens());

    expect(late).toEqual(first);
    expect(first).toMatchObject({ accessToken: 'access-token-rotated-1', refreshToken: 'refresh-token-rotated-1' });
    expect(server.requests).toHaveLength(1);
    expect(rotation).toMatchObject({ renewals: 1, refused: 0 });
  });

  it('asks JustLogin again once graceMs (default 60 s) have passed', async () => {
    let now = 1_700_000_000_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const rotation = rotatingTokens(REFRESH_TOKEN);
      server.reply(rotation.responder);
      const refresher = refresherFor();
      await refresher.refresh({ refreshToken: REFRESH_TOKEN });

      now += 59_999;
      await expect(refresher.refresh({ refreshToken: REFRESH_TOKEN })).resolves.toMatchObject({
        refreshToken: 'refresh-token-rotated-1',
      });
      expect(server.requests).toHaveLength(1);

      now += 1;
      await expect(refresher.refresh({ refreshToken: REFRESH_TOKEN })).rejects.toMatchObject({ code: 'invalid_grant' });
      expect(server.requests).toHaveLength(2);
    } finally {
      clock.mockRestore();
    }
  });

  it('keeps a renewal for graceMs when given, and not at all with 0', async () => {
    let now = 1_700_000_000_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      server.reply(rotatingTokens(REFRESH_TOKEN).responder);
      const short = refresherFor({ graceMs: 5_000 });
      await short.refresh({ refreshToken: REFRESH_TOKEN });
      now += 4_999;
      await short.refresh({ refreshToken: REFRESH_TOKEN });
      expect(server.requests).toHaveLength(1);
      now += 1;
      await expect(short.refresh({ refreshToken: REFRESH_TOKEN })).rejects.toMatchObject({ code: 'invalid_grant' });

      server.reply(rotatingTokens(REFRESH_TOKEN).responder);
      const none = refresherFor({ graceMs: 0 });
      await none.refresh({ refreshToken: REFRESH_TOKEN });
      await expect(none.refresh({ refreshToken: REFRESH_TOKEN })).rejects.toMatchObject({ code: 'invalid_grant' });
      expect(server.requests).toHaveLength(4);
    } finally {
      clock.mockRestore();
    }
  });

  it('follows the chain of renewals to the newest set it knows', async () => {
    server.reply(rotatingTokens(REFRESH_TOKEN).responder);
    const refresher = refresherFor();
    const first = await refresher.refresh({ refreshToken: REFRESH_TOKEN });
    const second = await refresher.refresh({ refreshToken: first.refreshToken! });

    await expect(refresher.refresh({ refreshToken: REFRESH_TOKEN })).resolves.toEqual(second);
    await expect(refresher.refresh({ refreshToken: first.refreshToken! })).resolves.toEqual(second);
    expect(second.refreshToken).toBe('refresh-token-rotated-2');
    expect(server.requests).toHaveLength(2);
  });

  it('stops following a chain that loops back on itself', async () => {
    // A server that hands back tokens already spent: A -> B -> A.
    const next: Record<string, string> = { 'refresh-A': 'refresh-B', 'refresh-B': 'refresh-A' };
    server.reply((request) => ({ body: tokenResponse({ refresh_token: next[request.form.refresh_token] }) }));
    const refresher = refresherFor();
    await refresher.refresh({ refreshToken: 'refresh-A' });
    await refresher.refresh({ refreshToken: 'refresh-B' });

    await expect(refresher.refresh({ refreshToken: 'refresh-A' })).resolves.toMatchObject({
      refreshToken: expect.stringMatching(/^refresh-[AB]$/),
    });
    expect(server.requests).toHaveLength(2);
  });

  it('sits above the coordinator: a remembered renewal does not reach it', async () => {
    server.reply(rotatingTokens(REFRESH_TOKEN).responder);
    const keys: string[] = [];
    const coordinator: RefreshCoordinator = {
      run(key, task) {
        keys.push(key);
        return task();
      },
    };
    const refresher = refresherFor({ coordinator });

    await refresher.refresh({ refreshToken: REFRESH_TOKEN });
    await refresher.refresh({ refreshToken: REFRESH_TOKEN });

    expect(keys).toEqual([keyOf(REFRESH_TOKEN)]);
  });

  it('keeps no token in clear text where inspection can reach it', async () => {
    server.reply(rotatingTokens(REFRESH_TOKEN).responder);
    const refresher = refresherFor();
    const renewed = await refresher.refresh({ refreshToken: REFRESH_TOKEN, accessToken: ACCESS_TOKEN });

    const text = `${inspect(refresher, { showHidden: true, depth: Infinity })} ${JSON.stringify(refresher)}`;
    for (const secret of [REFRESH_TOKEN, ACCESS_TOKEN, renewed.accessToken, renewed.refreshToken!, CLIENT_SECRET]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('id_token from a refresh (OpenID Connect Core §12.2)', () => {
  const ISSUER = 'https://apis.justlogin.com/v1/auth';
  const previousIdToken = fakeIdToken(idTokenClaims(CLIENT_ID));

  it('is kept when it names the same issuer and subject as the previous one', async () => {
    const idToken = fakeIdToken(idTokenClaims(CLIENT_ID, { auth_time: 1 }));
    server.reply({ body: tokenResponse({ id_token: idToken, scope: 'openid email' }) });

    const renewed = await refresherFor({ issuer: ISSUER }).ensureFresh(expiredTokens({ idToken: previousIdToken }));

    expect(renewed).toMatchObject({ idToken, scope: 'openid email' });
  });

  const now = () => Math.floor(Date.now() / 1000);
  const bad: [string, Record<string, unknown>, IdTokenError['check']][] = [
    ['another subject than the previous one', { sub: 'user-43' }, 'sub'],
    ['another issuer than the previous one', { iss: 'https://evil.example' }, 'iss'],
    ['an audience without this client', { aud: 'another-client' }, 'aud'],
    ['an expiry in the past', { exp: now() - 120, iat: now() - 400 }, 'exp'],
    ['an issue time in the future', { iat: now() + 600 }, 'iat'],
    ['no subject', { sub: undefined }, 'sub'],
  ];

  it.each(bad)('is refused with %s, leaving the tokens untouched', async (_name, overrides, check) => {
    server.reply({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims(CLIENT_ID, overrides)) }) });
    const tokens = expiredTokens({ idToken: previousIdToken });
    const before = structuredClone(tokens);

    const error = await refresherFor()
      .ensureFresh(tokens)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(IdTokenError);
    expect(error).toMatchObject({ check });
    expect(tokens).toEqual(before);
    expectNoSecrets(error);
  });

  it('is checked after the renewal is remembered: a refused one does not make the refresh token be spent again', async () => {
    const rotation = rotatingTokens(REFRESH_TOKEN, {
      id_token: fakeIdToken(idTokenClaims(CLIENT_ID, { sub: 'user-43' })),
    });
    server.reply(rotation.responder);
    const refresher = refresherFor();

    for (let i = 0; i < 2; i += 1) {
      await expect(refresher.ensureFresh(expiredTokens({ idToken: previousIdToken }))).rejects.toMatchObject({
        name: 'IdTokenError',
        check: 'sub',
        reauthenticate: true,
      });
    }
    expect(rotation).toMatchObject({ renewals: 1, refused: 0 });
  });

  it('is refused when it is not a JWT', async () => {
    server.reply({ body: tokenResponse({ id_token: 'not-a-jwt' }) });

    await expect(refresherFor().refresh({ refreshToken: REFRESH_TOKEN })).rejects.toMatchObject({
      name: 'IdTokenError',
      check: 'format',
    });
  });

  it('must come from `issuer` when the refresher has one', async () => {
    server.reply({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims(CLIENT_ID)) }) });

    await expect(
      refresherFor({ issuer: 'https://other.example' }).refresh({ refreshToken: REFRESH_TOKEN }),
    ).rejects.toMatchObject({ name: 'IdTokenError', check: 'iss' });
  });

  it('tolerates clockTolerance seconds (default 60) on its expiry', async () => {
    const claims = idTokenClaims(CLIENT_ID, { exp: now() - 30, iat: now() - 330 });
    server.reply({ body: tokenResponse({ id_token: fakeIdToken(claims) }) });

    await expect(refresherFor().refresh({ refreshToken: REFRESH_TOKEN })).resolves.toMatchObject({
      idToken: expect.any(String),
    });
    await expect(refresherFor({ clockTolerance: 0 }).refresh({ refreshToken: REFRESH_TOKEN })).rejects.toMatchObject({
      check: 'exp',
    });
  });

  it('a response without id_token and scope keeps the previous ones', async () => {
    server.reply({ body: tokenResponse({ id_token: undefined, scope: undefined }) });
    const tokens = expiredTokens({ idToken: previousIdToken, scope: 'openid email' });

    const renewed = await refresherFor().ensureFresh(tokens);
    const direct = await refresherFor().refresh({
      refreshToken: REFRESH_TOKEN,
      idToken: previousIdToken,
      scope: 'openid profile',
    });

    expect(renewed).toMatchObject({ idToken: previousIdToken, scope: 'openid email' });
    expect(direct).toMatchObject({ idToken: previousIdToken, scope: 'openid profile' });
  });

  describe('with fromStrategy', () => {
    function strategyFor(options: Partial<JustLoginClientOptions>): JustLoginStrategy {
      return new JustLoginStrategy(
        {
          clientID: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          callbackURL: '/callback',
          baseURL: server.origin,
          ...options,
        },
        (_accessToken, _refreshToken, _params, _profile, done) => done(null, false),
      );
    }

    it("takes the strategy's issuer and clockTolerance", async () => {
      const claims = idTokenClaims(CLIENT_ID, { exp: now() - 30, iat: now() - 330 });
      server.reply({ body: tokenResponse({ id_token: fakeIdToken(claims) }) });

      const wrongIssuer = JustLoginRefresher.fromStrategy(strategyFor({ issuer: 'https://other.example' }));
      await expect(wrongIssuer.refresh({ refreshToken: REFRESH_TOKEN })).rejects.toMatchObject({ check: 'iss' });
      const strict = JustLoginRefresher.fromStrategy(strategyFor({ issuer: ISSUER, clockTolerance: 0 }));
      await expect(strict.refresh({ refreshToken: REFRESH_TOKEN })).rejects.toMatchObject({ check: 'exp' });
      const lenient = JustLoginRefresher.fromStrategy(strategyFor({ issuer: ISSUER, clockTolerance: 60 }));
      await expect(lenient.refresh({ refreshToken: REFRESH_TOKEN })).resolves.toMatchObject({
        accessToken: 'access-token-0001',
      });
    });

    it("checks the signature with the strategy's keys when it verifies signatures", async () => {
      const [justlogin, stranger] = [await signingKey('key-1'), await signingKey('key-1')];
      const claims = idTokenClaims(CLIENT_ID, { iss: ISSUER });
      const genuine = await signIdToken(claims, justlogin);
      const forged = await signIdToken(claims, stranger);
      let idToken = genuine;
      server.reply((request) =>
        request.url === '/jwks' ? { body: { keys: [justlogin.jwk] } } : { body: tokenResponse({ id_token: idToken }) },
      );
      const refresher = JustLoginRefresher.fromStrategy(
        strategyFor({ issuer: ISSUER, verifyIdTokenSignature: true, jwksURL: `${server.origin}/jwks` }),
      );

      await expect(refresher.refresh({ refreshToken: 'refresh-one' })).resolves.toMatchObject({ idToken: genuine });
      idToken = forged;
      await expect(refresher.refresh({ refreshToken: 'refresh-two' })).rejects.toMatchObject({
        name: 'IdTokenError',
        check: 'signature',
      });
    });
  });
});

describe('a coordinator lock that must outlive the refresh timeout', () => {
  const locking = (lockMs: number): RefreshCoordinator => ({ lockMs, run: (_key, task) => task() });

  it.each([
    [10_000, undefined],
    [5_000, 5_000],
    [1_000, 5_000],
  ])('lockMs %i with timeout %s is refused with a JustLoginOptionsError naming both', (lockMs, timeout) => {
    const create = () => refresherFor({ coordinator: locking(lockMs), timeout });
    expect(create).toThrow(JustLoginOptionsError);
    expect(create).toThrow(/`lockMs`.*`timeout`/);
  });

  it('lockMs longer than the timeout is accepted', () => {
    expect(() => refresherFor({ coordinator: locking(10_001) })).not.toThrow();
    expect(() => refresherFor({ coordinator: locking(6_000), timeout: 5_000 })).not.toThrow();
  });

  it("fromStrategy compares it with the strategy's timeout", () => {
    const strategy = new JustLoginStrategy(
      {
        clientID: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        callbackURL: '/callback',
        baseURL: server.origin,
        timeout: 3_000,
      },
      (_accessToken, _refreshToken, _params, _profile, done) => done(null, false),
    );
    expect(() => JustLoginRefresher.fromStrategy(strategy, { coordinator: locking(3_000) })).toThrow(/`lockMs`/);
    expect(() => JustLoginRefresher.fromStrategy(strategy, { coordinator: locking(3_001) })).not.toThrow();
  });
});
