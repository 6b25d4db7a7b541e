// What loads when: the package entry and a strategy (even with signature checks on) load only what
// building them needs; the transport, token endpoint and id_token checks load at the first sign-in,
// and the refresher, Redis coordinator, cookie state store, keepTokensFresh, discovery, signature
// checks (jose) and the redaction of error messages when first used.
type Lib = typeof import('../lib');

/** Modules only some apps use, each loaded on first use. */
const ON_FIRST_USE = [
  '../lib/refresh',
  '../lib/renewal-memory',
  '../lib/single-flight',
  '../lib/token-set',
  '../lib/redis-coordinator',
  '../lib/redis-commands',
  '../lib/sealed-tokens',
  '../lib/fresh-tokens',
  '../lib/cookie-state-store',
  '../lib/discovery',
  '../lib/id-token-signature',
  '../lib/id-token',
  '../lib/profile',
  '../lib/redact',
  '../lib/transport',
  '../lib/http',
  'jose',
];

/** Each export loaded on first use, and the module it comes from. */
const LAZY_EXPORTS: Array<[keyof Lib, string]> = [
  ['JustLoginRefresher', '../lib/refresh'],
  ['SingleFlight', '../lib/single-flight'],
  ['RedisRefreshCoordinator', '../lib/redis-coordinator'],
  ['keepTokensFresh', '../lib/fresh-tokens'],
  ['CookieStateStore', '../lib/cookie-state-store'],
  ['toTokenSet', '../lib/token-set'],
  ['isExpired', '../lib/token-set'],
];

const options = { clientID: 'c', clientSecret: 's', callbackURL: '/cb', baseURL: 'http://127.0.0.1:1' };
const verify = () => undefined;

afterEach(() => {
  for (const name of ON_FIRST_USE) jest.dontMock(name);
});

describe('loading the package', () => {
  it('loads none of the modules only some apps use, nor when a client and strategies are built', () => {
    jest.isolateModules(() => {
      for (const name of ON_FIRST_USE) {
        jest.doMock(name, () => {
          throw new Error(`${name} was loaded`);
        });
      }
      const lib = jest.requireActual<Lib>('../lib');
      expect(() => new lib.JustLoginStrategy(options, verify)).not.toThrow();
      expect(() => new lib.JustLoginStrategy({ ...options, verifyIdTokenSignature: true }, verify)).not.toThrow();
      expect(() => new lib.JustLoginStrategy({ ...options, discovery: true, state: false }, verify)).not.toThrow();
      // A misspelt key: the options check (with its did-you-mean) needs none of them either.
      expect(() => new lib.JustLoginClient({ clientId: 'c', clientSecret: 's' } as never)).toThrow(/clientID/);
    });
  });

  it.each(LAZY_EXPORTS)('loads %s from %s when it is first read', (name, module) => {
    jest.isolateModules(() => {
      const marker = { name };
      jest.doMock(module, () => ({ [name]: marker }));
      const lib = jest.requireActual<Record<string, unknown>>('../lib');
      expect(Object.keys(lib)).toContain(name);
      expect(lib[name]).toBe(marker);
    });
  });
});
