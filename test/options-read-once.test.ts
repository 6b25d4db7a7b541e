// Every public options object is read once, into settings, by one rule per option: each value is
// taken once (a getter cannot pass the check with one value and be used with another), every
// duration follows one rule, and an option renamed to say its unit names its new name.
import { inspect } from 'node:util';
import {
  CookieStateStore,
  JustLoginApi,
  JustLoginClient,
  JustLoginOptionsError,
  JustLoginRefresher,
  JustLoginStrategy,
  keepTokensFresh,
  type JustLoginTokenSet,
} from '../lib';
import { keepTokensFreshFastify } from '../lib/frameworks/fastify';
import { keepTokensFreshKoa } from '../lib/frameworks/koa';
import { RedisRefreshCoordinator, type RedisClientLike } from '../lib/redis';

const client = { clientID: 'client-id', clientSecret: 'client-secret-value' };
const SECRET = 'a-secret-of-more-than-32-characters-Qx7';
const idleRedis: RedisClientLike = { isReady: true, sendCommand: () => new Promise(() => {}) };
const verify = () => undefined;
// Nothing here sends a request; were one sent, it would go nowhere but this machine.
const refresher = new JustLoginRefresher({ ...client, baseURL: 'http://127.0.0.1:9' });
const nowSeconds = () => Math.floor(Date.now() / 1000);
const tokens: JustLoginTokenSet = {
  accessToken: 'access',
  refreshToken: 'refresh',
  tokenType: 'Bearer',
  expiresAt: nowSeconds() + 3600,
};
/** Tokens without a known expiry: never renewed, whatever the skew. */
const untimed: JustLoginTokenSet = { accessToken: 'access', tokenType: 'Bearer' };
const access = { get: () => undefined, set: () => undefined };

/** The problems `attempt` is refused with, whether it throws or returns a promise that rejects. */
async function problemsOf(attempt: () => unknown): Promise<readonly string[] | undefined> {
  try {
    await attempt();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(JustLoginOptionsError);
    return (error as JustLoginOptionsError).problems;
  }
}

/** `options` behind a proxy that counts how often each of its keys is read. */
function counted<T extends object>(options: T): { options: T; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const proxy = new Proxy(options, {
    get(target, key, receiver) {
      if (typeof key === 'string' && Object.hasOwn(target, key)) reads.set(key, (reads.get(key) ?? 0) + 1);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { options: proxy, reads };
}

describe('each option is read once', () => {
  const strategy = new JustLoginStrategy({ ...client, callbackURL: '/callback' }, verify);
  const cases: Array<[string, object, (options: never) => unknown]> = [
    [
      'JustLoginClient',
      {
        ...client,
        baseURL: 'https://idp.example',
        authorizationURL: 'https://idp.example/authorize',
        tokenURL: 'https://idp.example/token',
        jwksURL: 'https://idp.example/jwks',
        issuer: 'https://idp.example/v1/auth',
        allowInsecureRequests: false,
        timeout: 5_000,
        clockTolerance: 30,
        verifyIdTokenSignature: true,
        discovery: false,
        fetch: globalThis.fetch,
      },
      (options) => new JustLoginClient(options),
    ],
    [
      'JustLoginStrategy',
      {
        ...client,
        environment: 'staging',
        timeout: 5_000,
        callbackURL: 'https://app.example/callback',
        scope: ['openid', 'profile'],
        state: true,
        pkce: true,
        sessionKey: 'justlogin',
        skipUserProfile: false,
        proxy: true,
        passReqToCallback: false,
      },
      (options) => new JustLoginStrategy(options, verify),
    ],
    [
      'JustLoginStrategy with a client',
      {
        client: new JustLoginClient(client),
        callbackURL: '/callback',
        store: new CookieStateStore({ secret: SECRET }),
      },
      (options) => new JustLoginStrategy(options, verify),
    ],
    [
      'JustLoginRefresher',
      { ...client, timeout: 5_000, graceMs: 1_000, coordinator: { lockMs: 6_000, run: () => Promise.resolve(tokens) } },
      (options) => new JustLoginRefresher(options),
    ],
    [
      'JustLoginRefresher.fromStrategy',
      { graceMs: 0 },
      (options) => JustLoginRefresher.fromStrategy(strategy, options),
    ],
    [
      'JustLoginApi',
      { refresher, tokens, onTokens: () => undefined, skewMs: 30_000 },
      (options) => new JustLoginApi(options),
    ],
    [
      'JustLoginApi.perRequest',
      { ...access, skewMs: 30_000 },
      (options) => JustLoginApi.perRequest(refresher, options),
    ],
    [
      'RedisRefreshCoordinator',
      {
        client: idleRedis,
        secret: SECRET,
        lockMs: 20_000,
        resultMs: 30_000,
        commandTimeoutMs: 500,
        prefix: 'app:',
        logger: console,
      },
      (options) => new RedisRefreshCoordinator(options),
    ],
    [
      'CookieStateStore',
      { secret: SECRET, name: 'state', maxAgeMs: 300_000, secure: true },
      (options) => new CookieStateStore(options),
    ],
    [
      'keepTokensFresh',
      { ...access, skewMs: 30_000, onReauthenticate: () => undefined },
      (options) => keepTokensFresh(refresher, options),
    ],
    ['keepTokensFreshFastify', { ...access, skewMs: 30_000 }, (options) => keepTokensFreshFastify(refresher, options)],
    ['keepTokensFreshKoa', { ...access, skewMs: 30_000 }, (options) => keepTokensFreshKoa(refresher, options)],
    ['ensureFresh', { skewMs: 30_000 }, (options) => refresher.ensureFresh(tokens, options)],
  ];

  it.each(cases)('%s', async (_component, given, build) => {
    const { options, reads } = counted(given);
    await build(options as never);
    expect(Object.fromEntries(reads)).toEqual(Object.fromEntries(Object.keys(given).map((key) => [key, 1])));
  });

  it('so a value that changes after it was checked is used as it was checked', () => {
    let reads = 0;
    const options = {
      ...client,
      get baseURL() {
        reads += 1;
        return reads === 1 ? 'https://idp.example' : 'http://idp.example';
      },
    };
    expect(new JustLoginClient(options).tokenURL).toBe('https://idp.example/v1/auth/connect/token');
  });
});

describe('every duration is a whole number of milliseconds up to 2147483647, the longest timer Node.js honours', () => {
  const ZERO_OR_MORE = 'must be a whole number of milliseconds, 0 or more (at most 2147483647)';
  const ONE_OR_MORE = 'must be a positive whole number of milliseconds (at most 2147483647)';
  const durations: Array<[string, string, (value: unknown) => unknown]> = [
    ['JustLoginClient', 'timeout', (timeout) => new JustLoginClient({ ...client, timeout } as never)],
    [
      'JustLoginStrategy',
      'timeout',
      (timeout) => new JustLoginStrategy({ ...client, callbackURL: '/callback', timeout } as never, verify),
    ],
    ['JustLoginRefresher', 'timeout', (timeout) => new JustLoginRefresher({ ...client, timeout } as never)],
    ['JustLoginRefresher', 'graceMs', (graceMs) => new JustLoginRefresher({ ...client, graceMs } as never)],
    ['JustLoginApi', 'skewMs', (skewMs) => new JustLoginApi({ refresher, tokens, skewMs } as never)],
    [
      'JustLoginApi.perRequest',
      'skewMs',
      (skewMs) => JustLoginApi.perRequest(refresher, { ...access, skewMs } as never),
    ],
    ['keepTokensFresh', 'skewMs', (skewMs) => keepTokensFresh(refresher, { ...access, skewMs } as never)],
    ['keepTokensFreshFastify', 'skewMs', (skewMs) => keepTokensFreshFastify(refresher, { ...access, skewMs } as never)],
    ['keepTokensFreshKoa', 'skewMs', (skewMs) => keepTokensFreshKoa(refresher, { ...access, skewMs } as never)],
    ['ensureFresh', 'skewMs', (skewMs) => refresher.ensureFresh(untimed, { skewMs } as never)],
    [
      'RedisRefreshCoordinator',
      'lockMs',
      (lockMs) => new RedisRefreshCoordinator({ client: idleRedis, secret: SECRET, lockMs } as never),
    ],
    [
      'RedisRefreshCoordinator',
      'resultMs',
      (resultMs) => new RedisRefreshCoordinator({ client: idleRedis, secret: SECRET, resultMs } as never),
    ],
    [
      'RedisRefreshCoordinator',
      'commandTimeoutMs',
      (commandTimeoutMs) =>
        new RedisRefreshCoordinator({ client: idleRedis, secret: SECRET, commandTimeoutMs } as never),
    ],
    ['CookieStateStore', 'maxAgeMs', (maxAgeMs) => new CookieStateStore({ secret: SECRET, maxAgeMs } as never)],
  ];
  /** Durations for which 0 makes sense: a skew of none, a grace window of none. */
  const zeroAllowed = new Set(['graceMs', 'skewMs']);

  it.each(durations)('%s `%s`', async (_component, option, build) => {
    const rule = zeroAllowed.has(option) ? ZERO_OR_MORE : ONE_OR_MORE;
    for (const value of [zeroAllowed.has(option) ? 0 : 1, 1_000, 2_147_483_647]) {
      expect(await problemsOf(() => build(value))).toBeUndefined();
    }
    for (const value of [
      -1,
      0.5,
      1_500.5,
      2_147_483_648,
      Number.MAX_SAFE_INTEGER,
      Infinity,
      Number.NaN,
      '1000',
      null,
    ]) {
      expect([inspect(value), await problemsOf(() => build(value))]).toEqual([
        inspect(value),
        [`\`${option}\` ${rule}`],
      ]);
    }
    if (!zeroAllowed.has(option)) expect(await problemsOf(() => build(0))).toEqual([`\`${option}\` ${rule}`]);
  });
});

describe('an option renamed to end in Ms names its new name and unit', () => {
  const renamed = (from: string, to: string) =>
    `\`${from}\` is not an option: it is now \`${to}\`, in milliseconds (seconds × 1000)`;

  it.each<[string, string, string, () => unknown]>([
    [
      'keepTokensFresh',
      'skewSeconds',
      'skewMs',
      () => keepTokensFresh(refresher, { ...access, skewSeconds: 60 } as never),
    ],
    ['ensureFresh', 'skewSeconds', 'skewMs', () => refresher.ensureFresh(tokens, { skewSeconds: 60 } as never)],
    ['JustLoginApi', 'skewSeconds', 'skewMs', () => new JustLoginApi({ refresher, tokens, skewSeconds: 60 } as never)],
    ['CookieStateStore', 'maxAge', 'maxAgeMs', () => new CookieStateStore({ secret: SECRET, maxAge: 600 } as never)],
  ])('%s: `%s`', async (_component, from, to, attempt) => {
    expect(await problemsOf(attempt)).toEqual([renamed(from, to)]);
  });
});

it('JustLoginRefresher.fromStrategy reads its options as the constructor does', async () => {
  const strategy = new JustLoginStrategy({ ...client, callbackURL: '/callback' }, verify);
  expect(await problemsOf(() => JustLoginRefresher.fromStrategy(strategy, { graceMS: 0 } as never))).toEqual([
    '`graceMS` is not an option; did you mean `graceMs`?',
  ]);
});
