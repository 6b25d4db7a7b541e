import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { JustLoginRequestError, JustLoginTokenError } from '../lib/errors';
import { NoRefreshTokenError } from '../lib/errors';
import { JustLoginRefresher, type JustLoginRefresherOptions, type RefreshCoordinator } from '../lib/refresh';
import { SingleFlight } from '../lib/single-flight';
import { JustLoginStrategy } from '../lib/strategy';
import type { JustLoginTokenSet } from '../lib/token-set';
import { TokenServer, tokenResponse, type Reply, type Responder } from './support/token-server';

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

function refresherFor(options: Partial<JustLoginRefresherOptions> = {}): JustLoginRefresher {
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
    ['environment', { tokenURL: undefined, environment: 'staging' as 'sandbox' }],
    ['baseURL', { tokenURL: undefined, baseURL: 'ftp://example.test' }],
    ['tokenURL', { tokenURL: 'not a url' }],
    ['timeout', { timeout: 0 }],
    ['timeout', { timeout: Number.NaN }],
    ['coordinator', { coordinator: {} as RefreshCoordinator }],
  ])('throws a TypeError naming `%s`', (option, overrides) => {
    expect(() => refresherFor(overrides)).toThrow(TypeError);
    expect(() => refresherFor(overrides)).toThrow(`\`${option}\``);
  });

  it('throws a TypeError without options', () => {
    expect(() => new JustLoginRefresher(undefined as unknown as JustLoginRefresherOptions)).toThrow(TypeError);
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
    server.reply({
      body: tokenResponse({ access_token: 'access-new', refresh_token: 'refresh-new', id_token: 'id-new' }),
    });

    const tokens = await refresherFor().refresh({ refreshToken: REFRESH_TOKEN, accessToken: ACCESS_TOKEN });

    expect(tokens).toEqual({
      accessToken: 'access-new',
      refreshToken: 'refresh-new',
      idToken: 'id-new',
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
    expect(error).toMatchObject({ code: 'no_refresh_token', retryable: false });
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

  it('renews within skewSeconds of expiry (default 60)', async () => {
    const refresher = refresherFor();
    const soon = expiredTokens({ expiresAt: nowSeconds() + 30 });

    await expect(refresher.ensureFresh(soon, { skewSeconds: 10 })).resolves.toBe(soon);
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

  it('rejects with no_refresh_token, without a request, when a refresh is due and there is no refresh token', async () => {
    const tokens = expiredTokens({ refreshToken: undefined });

    const error = await refresherFor()
      .ensureFresh(tokens)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NoRefreshTokenError);
    expect(error).toMatchObject({ code: 'no_refresh_token', retryable: false });
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

  it('forgets a refresh once it settles, after success and after failure', async () => {
    const coordinator = new SingleFlight<JustLoginTokenSet>();
    const refresher = refresherFor({ coordinator });

    const pending = refresher.refresh({ refreshToken: REFRESH_TOKEN });
    expect(coordinator.size).toBe(1);
    await pending;
    expect(coordinator.size).toBe(0);

    server.reply({ status: 500, body: 'down' });
    await expect(refresher.refresh({ refreshToken: REFRESH_TOKEN })).rejects.toMatchObject({ retryable: true });
    expect(coordinator.size).toBe(0);
    expect(server.requests).toHaveLength(2);
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
  function strategyFor(options: { timeout?: number } = {}): JustLoginStrategy {
    return new JustLoginStrategy(
      {
        clientID: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        callbackURL: '/callback',
        baseURL: server.origin,
        ...options,
      },
      (_accessToken, _refreshToken, _profile, done) => done(null, false),
    );
  }

  it("uses the strategy's client and its very token endpoint", async () => {
    const strategy = strategyFor();
    const request = jest.spyOn(strategy._tokenEndpoint, 'request');

    await JustLoginRefresher.fromStrategy(strategy).refresh({ refreshToken: REFRESH_TOKEN, accessToken: ACCESS_TOKEN });

    expect(request).toHaveBeenCalledTimes(1);
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
    const coordinator = new SingleFlight<JustLoginTokenSet>();
    const refresher = JustLoginRefresher.fromStrategy(strategyFor(), { coordinator });

    const pending = refresher.refresh({ refreshToken: REFRESH_TOKEN });
    expect(coordinator.size).toBe(1);
    await pending;
  });

  it('throws a TypeError for anything but a JustLoginStrategy', () => {
    expect(() => JustLoginRefresher.fromStrategy({} as JustLoginStrategy)).toThrow(TypeError);
  });
});
