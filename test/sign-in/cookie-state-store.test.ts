import { hkdfSync } from 'node:crypto';
import { inspect } from 'node:util';
import { parseSetCookie } from 'cookie';
import request from 'supertest';
import {
  CookieStateStore,
  JustLoginOptionsError,
  JustLoginStrategy,
  JustLoginError,
  type CookieStateStoreOptions,
  type JustLoginStrategyOptions,
  type JustLoginVerifyWithProfile,
  type StateStoreMeta,
} from '../../lib';
import { makeApp } from '../support/app';
import { fakeIdToken, idTokenClaims } from '../support/id-token';
import { TokenServer, tokenResponse } from '../support/token-server';

const CLIENT_ID = 'client-abc';
const SECRET = 'cookie-signing-secret-that-is-32+chars';
let server: TokenServer;
let nonce: string | null = null;

beforeEach(async () => {
  server = await TokenServer.start();
  server.reply(() => ({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims(CLIENT_ID, { nonce })) }) }));
});
afterEach(() => server.stop());

const verify: JustLoginVerifyWithProfile = (_at, _rt, profile, done) => done(null, { id: profile.id });

function strategy(store: CookieStateStore, overrides: Partial<JustLoginStrategyOptions> = {}) {
  return new JustLoginStrategy(
    {
      clientID: CLIENT_ID,
      clientSecret: 'cookie-test-client-secret',
      callbackURL: 'https://app.example/auth/justlogin/callback',
      baseURL: server.origin,
      store,
      ...overrides,
    },
    verify,
  );
}

/** A session-less app whose callback route is /auth/justlogin/callback. */
function sessionless(store: CookieStateStore, overrides: Partial<JustLoginStrategyOptions> = {}) {
  let authInfo: unknown;
  const app = makeApp(strategy(store, overrides), {
    session: false,
    loginOptions: { state: { returnTo: '/reports' } },
    onSuccess: (req) => {
      authInfo = req.authInfo;
    },
  });
  return { app, authInfo: () => authInfo };
}

/** An app with sessions, so a failed sign-in's message can be read at /failed. */
function withMessages(store: CookieStateStore) {
  return makeApp(strategy(store), { loginOptions: { state: { returnTo: '/reports' } } });
}

/** The messages a failed callback left in the session. */
async function failureMessages(app: ReturnType<typeof makeApp>, state: string, cookie: string) {
  const res = await callback(app, state, cookie);
  expect(res.headers.location).toBe('/failed');
  const session = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('connect.sid='));
  const failed = await request(app)
    .get('/failed')
    .set('Cookie', session?.split(';')[0] ?? '');
  return failed.body.messages as string[];
}

/** `name=value` with the value's bytes changed by `change`. */
function alterCookie(cookie: string, change: (bytes: Buffer) => Buffer): string {
  const [name, value] = cookie.split('=');
  return `${name}=${change(Buffer.from(value, 'base64url')).toString('base64url')}`;
}

/** The bytes with one bit of the ciphertext flipped. */
function flipBit40(bytes: Buffer): Buffer {
  const altered = Buffer.from(bytes);
  altered[40] ^= 1;
  return altered;
}

async function begin(app: ReturnType<typeof makeApp>) {
  const login = await request(app).get('/login');
  const query = new URL(login.headers.location).searchParams;
  nonce = query.get('nonce');
  const setCookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
  return { state: query.get('state') ?? '', setCookie, cookie: setCookie.map((c) => c.split(';')[0]).join('; ') };
}

const callback = (app: ReturnType<typeof makeApp>, state: string, cookie: string) =>
  request(app).get(`/callback?code=c1&state=${state}`).set('Cookie', cookie);

const CALLBACK_META = { callbackURL: 'https://app.example/auth/justlogin/callback' } as StateStoreMeta;

/** A response that keeps the Set-Cookie headers it is given. */
function recordingResponse() {
  let cookies: string[] = [];
  return {
    getHeader: () => (cookies.length > 0 ? cookies : undefined),
    setHeader: (_name: string, value: string[]) => {
      cookies = value;
    },
    cookies: () => cookies,
  };
}

/** One sign-in begun and completed on the store itself, without HTTP: its handle and what `verify` answered. */
function signInOn(store: CookieStateStore, meta = CALLBACK_META) {
  const started = recordingResponse();
  let handle = '';
  store.store({ headers: {}, res: started }, undefined, undefined, meta, (err, issued) => {
    if (err) throw err;
    handle = issued ?? '';
  });
  const cookie = started.cookies()[0].split(';')[0];
  let ok: unknown;
  store.verify({ headers: { cookie }, res: recordingResponse() }, handle, meta, (err, result) => {
    if (err) throw err;
    ok = result;
  });
  return { handle, cookie, ok };
}

/** The map in which the store keeps used handles: the one that a completed sign-in's handle is set in. */
function usedHandles(store: CookieStateStore): Map<string, number> {
  const set = jest.spyOn(Map.prototype, 'set');
  try {
    const { handle } = signInOn(store);
    const call = set.mock.calls.findIndex(([key]) => key === handle);
    expect(call).toBeGreaterThanOrEqual(0);
    return set.mock.contexts[call] as Map<string, number>;
  } finally {
    set.mockRestore();
  }
}

/** How many entries of any Map `run` steps through (iterators and forEach). */
function mapSteps(run: () => void): number {
  let steps = 0;
  const proto = Map.prototype as unknown as Record<PropertyKey, (...args: unknown[]) => unknown>;
  const names = [Symbol.iterator, 'entries', 'keys', 'values', 'forEach'] as const;
  const originals = names.map((name) => proto[name]);
  names.forEach((name, i) => {
    const original = originals[i];
    proto[name] =
      name === 'forEach'
        ? function (this: unknown, ...args: unknown[]) {
            const each = args[0] as (...values: unknown[]) => void;
            return original.call(this, (...values: unknown[]) => {
              steps++;
              each(...values);
            });
          }
        : function (this: unknown) {
            const iterator = original.call(this) as Iterator<unknown>;
            return {
              next: () => {
                steps++;
                return iterator.next();
              },
              [Symbol.iterator]() {
                return this;
              },
            };
          };
  });
  try {
    run();
  } finally {
    names.forEach((name, i) => {
      proto[name] = originals[i];
    });
  }
  return steps;
}

describe('CookieStateStore', () => {
  it('signs a user in without a session, and gives back the app state', async () => {
    const { app, authInfo } = sessionless(new CookieStateStore({ secret: SECRET }));
    const { state, cookie, setCookie } = await begin(app);
    expect(setCookie).toHaveLength(1);
    const res = await callback(app, state, cookie);
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: 'user-42' });
    expect(authInfo()).toEqual({ state: { returnTo: '/reports' } });
    expect(server.requests[0].form.code_verifier).toMatch(/^[\w-]{43}$/);
  });

  it('sets an HttpOnly, SameSite=Lax, Secure cookie scoped to the callback path, and clears it when used', async () => {
    const { app } = sessionless(new CookieStateStore({ secret: SECRET, maxAgeMs: 300_000 }));
    const { state, cookie, setCookie } = await begin(app);
    const set = parseSetCookie(setCookie[0]);
    expect(set).toMatchObject({
      name: 'justlogin_state',
      path: '/auth/justlogin/callback',
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      maxAge: 300,
    });
    const res = await callback(app, state, cookie);
    const cleared = parseSetCookie(([] as string[]).concat(res.headers['set-cookie'])[0]);
    expect(cleared).toMatchObject({ name: 'justlogin_state', value: '', maxAge: 0, path: '/auth/justlogin/callback' });
  });

  it('gives the cookie a Max-Age of maxAgeMs in whole seconds, rounded up', async () => {
    const { app } = sessionless(new CookieStateStore({ secret: SECRET, maxAgeMs: 1_500 }));
    const { setCookie } = await begin(app);
    expect(parseSetCookie(setCookie[0])).toMatchObject({ maxAge: 2 });
  });

  it('keeps nothing readable in the cookie: not the secrets, the verifier, the nonce or the app state', async () => {
    const { app } = sessionless(new CookieStateStore({ secret: SECRET }));
    const { state, cookie, setCookie } = await begin(app);
    await callback(app, state, cookie).expect(200);
    const value = parseSetCookie(setCookie[0]).value ?? '';
    expect(value.length).toBeGreaterThan(100);
    const readable = `${value} ${Buffer.from(value, 'base64url').toString('latin1')}`;
    const verifier = server.requests[0].form.code_verifier;
    expect(verifier).toMatch(/^[\w-]{43}$/);
    expect(nonce).toMatch(/^[\w-]{16,}$/);
    for (const secret of [SECRET, 'cookie-test-client-secret', verifier, nonce ?? '', state, 'returnTo', '/reports']) {
      expect(readable).not.toContain(secret);
    }
  });

  it('keeps the secret and the key derived from it out of util.inspect and JSON.stringify', () => {
    const store = new CookieStateStore({ secret: SECRET });
    const secret = Buffer.from(SECRET);
    const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'passport-justlogin state cookie v1', 32));
    const text = [
      inspect(store),
      inspect(store, { depth: Infinity, showHidden: true, getters: true, maxArrayLength: Infinity }),
      JSON.stringify(store),
    ].join(' ');
    for (const bytes of [secret, key]) {
      const head = bytes.subarray(0, 8);
      for (const form of [
        head.toString('latin1'),
        head.toString('hex'),
        [...head].map((b) => b.toString(16).padStart(2, '0')).join(' '),
        [...head].join(','),
        [...head].join(', '),
        bytes.toString('base64').slice(0, 10),
        bytes.toString('base64url').slice(0, 10),
      ]) {
        expect(text).not.toContain(form);
      }
    }
  });

  it.each([
    [
      'replayed after use',
      'Unable to verify authorization request state.',
      async (app: ReturnType<typeof makeApp>) => {
        const flow = await begin(app);
        await callback(app, flow.state, flow.cookie).expect(200);
        return flow;
      },
    ],
    [
      'tampered with',
      'Unable to verify authorization request state.',
      async (app: ReturnType<typeof makeApp>) => {
        const flow = await begin(app);
        return { ...flow, cookie: alterCookie(flow.cookie, flipBit40) };
      },
    ],
    [
      'truncated',
      'Unable to verify authorization request state.',
      async (app: ReturnType<typeof makeApp>) => {
        const flow = await begin(app);
        return { ...flow, cookie: alterCookie(flow.cookie, (bytes) => bytes.subarray(0, bytes.length - 1)) };
      },
    ],
    [
      'cut to its first bytes',
      'Unable to verify authorization request state.',
      async (app: ReturnType<typeof makeApp>) => {
        const flow = await begin(app);
        return { ...flow, cookie: alterCookie(flow.cookie, (bytes) => bytes.subarray(0, 16)) };
      },
    ],
    [
      'missing',
      'Unable to verify authorization request state.',
      async (app: ReturnType<typeof makeApp>) => ({ ...(await begin(app)), cookie: '' }),
    ],
    [
      'from another sign-in',
      'Invalid authorization request state.',
      async (app: ReturnType<typeof makeApp>) => {
        const mine = await begin(app);
        const other = await begin(app);
        return { ...mine, cookie: other.cookie };
      },
    ],
    [
      'made with another secret',
      'Unable to verify authorization request state.',
      async (app: ReturnType<typeof makeApp>) => {
        const flow = await begin(app);
        const foreign = sessionless(new CookieStateStore({ secret: 'another-secret-of-at-least-32-chars!' }));
        const theirs = await begin(foreign.app);
        return { ...flow, cookie: theirs.cookie };
      },
    ],
    [
      'made for another cookie name with the same secret',
      'Unable to verify authorization request state.',
      async () => {
        const other = sessionless(new CookieStateStore({ secret: SECRET, name: 'other_state' }));
        const theirs = await begin(other.app);
        return { ...theirs, cookie: theirs.cookie.replace(/^other_state=/, 'justlogin_state=') };
      },
    ],
  ])('fails the sign-in when the cookie is %s', async (_case, message, prepare) => {
    const app = withMessages(new CookieStateStore({ secret: SECRET }));
    const { state, cookie } = await prepare(app);
    const before = server.requests.length;
    expect(await failureMessages(app, state, cookie)).toEqual([message]);
    expect(server.requests).toHaveLength(before);
  });

  it('fails the sign-in when the cookie has expired', async () => {
    const { app } = sessionless(new CookieStateStore({ secret: SECRET, maxAgeMs: 60_000 }));
    const { state, cookie } = await begin(app);
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    try {
      const res = await callback(app, state, cookie);
      expect(res.headers.location).toBe('/failed');
      expect(server.requests).toHaveLength(0);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('refuses a replayed cookie whatever the number of sign-ins, looking at no other used handle', () => {
    const store = new CookieStateStore({ secret: SECRET });
    const used = usedHandles(store);
    const later = Math.floor(Date.now() / 1000) + 600;
    for (let i = 0; i < 50_000; i++) used.set(`earlier-sign-in-${i}`, later);
    const { handle, cookie, ok } = signInOn(store);
    expect(ok).toBe(true);
    let replayed: unknown;
    const steps = mapSteps(() =>
      store.verify({ headers: { cookie }, res: recordingResponse() }, handle, CALLBACK_META, (_err, result) => {
        replayed = result;
      }),
    );
    expect(replayed).toBe(false);
    expect(steps).toBeLessThanOrEqual(2);
    expect(mapSteps(() => signInOn(store))).toBeLessThanOrEqual(2);
  });

  it('remembers at most 100,000 used handles, forgetting the oldest first', () => {
    const store = new CookieStateStore({ secret: SECRET });
    const used = usedHandles(store);
    const later = Math.floor(Date.now() / 1000) + 600;
    for (let i = used.size; i < 100_000; i++) used.set(`earlier-sign-in-${i}`, later);
    const [oldest, second] = used.keys();
    const { handle } = signInOn(store);
    expect(used.size).toBe(100_000);
    expect(used.has(handle)).toBe(true);
    expect(used.has(oldest)).toBe(false);
    expect(used.has(second)).toBe(true);
  });

  it('forgets used handles once their cookie has expired, oldest first', () => {
    const store = new CookieStateStore({ secret: SECRET, maxAgeMs: 60_000 });
    const used = usedHandles(store);
    const now = Date.now();
    for (let i = 0; i < 1_000; i++) signInOn(store);
    expect(used.size).toBe(1_001);
    jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    try {
      const { handle } = signInOn(store);
      expect([...used.keys()]).toEqual([handle]);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('gives a __Host- cookie the Path=/ and Secure, without Domain, that browsers require, and signs in with it', async () => {
    const { app } = sessionless(new CookieStateStore({ secret: SECRET, name: '__Host-justlogin_state' }));
    const { state, cookie, setCookie } = await begin(app);
    const set = parseSetCookie(setCookie[0]);
    expect(set).toMatchObject({ name: '__Host-justlogin_state', path: '/', secure: true, httpOnly: true });
    expect(setCookie[0]).not.toMatch(/domain/i);
    const res = await callback(app, state, cookie).expect(200);
    const cleared = ([] as string[]).concat(res.headers['set-cookie']);
    expect(cleared).toHaveLength(1);
    expect(parseSetCookie(cleared[0])).toMatchObject({
      name: '__Host-justlogin_state',
      value: '',
      path: '/',
      secure: true,
    });
  });

  it('keeps a __Secure- cookie Secure and scoped to the callback path', async () => {
    const { app } = sessionless(new CookieStateStore({ secret: SECRET, name: '__Secure-justlogin_state' }));
    const { state, cookie, setCookie } = await begin(app);
    expect(parseSetCookie(setCookie[0])).toMatchObject({ path: '/auth/justlogin/callback', secure: true });
    await callback(app, state, cookie).expect(200);
  });

  it.each(['__Host-justlogin_state', '__host-justlogin_state', '__Secure-justlogin_state', '__SECURE-state'])(
    'refuses the name %s with secure: false, which browsers would not keep',
    (name) => {
      expect(() => new CookieStateStore({ secret: SECRET, name, secure: false })).toThrow(
        /`name` starting with __Host- or __Secure- needs `secure: true`/,
      );
    },
  );

  it('allows secure: false only for a callback on http://localhost', async () => {
    const local = sessionless(new CookieStateStore({ secret: SECRET, secure: false }), {
      callbackURL: 'http://localhost:3000/auth/justlogin/callback',
    });
    const { setCookie } = await begin(local.app);
    expect(parseSetCookie(setCookie[0]).secure).toBeFalsy();

    const remote = sessionless(new CookieStateStore({ secret: SECRET, secure: false }));
    const res = await request(remote.app).get('/login');
    expect(res.status).toBe(500);
    expect(res.body.error.message).toMatch(/secure: false/);
    expect(res.body.error).toMatchObject({ name: 'JustLoginOptionsError', code: 'EBADOPTIONS' });
  });

  it("finds its cookie among the browser's others, quoted or not, and reads the first of two", async () => {
    const { app } = sessionless(new CookieStateStore({ secret: SECRET }));
    const { state, cookie } = await begin(app);
    const [name, value] = [cookie.slice(0, cookie.indexOf('=')), cookie.slice(cookie.indexOf('=') + 1)];
    await callback(app, state, `theme=dark;${name}="${value}";  ${name}=other; lang=en`).expect(200);
    const second = await begin(app);
    await callback(app, second.state, `${name}x=1; ${second.cookie}`).expect(200);
  });

  it('fails the sign-in with a typed error when the callback path cannot be a cookie Path', () => {
    const store = new CookieStateStore({ secret: SECRET });
    const res = { getHeader: () => undefined, setHeader: jest.fn() };
    let failure: unknown;
    store.store(
      { headers: {}, res },
      undefined,
      undefined,
      { callbackURL: 'https://app.example/auth;callback' } as never,
      (error) => {
        failure = error;
      },
    );
    expect(failure).toBeInstanceOf(JustLoginOptionsError);
    expect((failure as Error).message).toMatch(/^passport-justlogin: .*callbackURL.*;/);
    expect(res.setHeader).not.toHaveBeenCalled();
  });

  it('fails the sign-in with a typed error when the request carries no response to set the cookie on', () => {
    const store = new CookieStateStore({ secret: SECRET });
    const meta = { callbackURL: 'https://app.example/auth/justlogin/callback' };
    let failure: unknown;
    store.store({ headers: {} }, undefined, undefined, meta as never, (error) => {
      failure = error;
    });
    expect(failure).toBeInstanceOf(JustLoginOptionsError);
    expect(failure).toBeInstanceOf(JustLoginError);
    expect((failure as Error).message).toMatch(/^passport-justlogin: .*req\.res/);
  });

  it('reports every bad option at once, with a did-you-mean for a misspelt one', () => {
    let error: unknown;
    try {
      new CookieStateStore({ secret: 'short', maxage: 60, secure: 'false', name: 'bad name;' } as never);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(JustLoginOptionsError);
    expect((error as JustLoginOptionsError).problems).toEqual([
      '`maxage` is not an option; did you mean `maxAgeMs`?',
      '`secret` must be at least 32 characters (bytes, for a Buffer) with at least 8 different ones; make one with ' +
        `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
      "`name` must be a cookie name: letters, digits and !#$%&'*+-.^_`|~ only",
      '`secure` must be a boolean',
    ]);
    expect((error as Error).message).toMatch(/^passport-justlogin: CookieStateStore options are invalid:\n/);
  });

  it.each([
    [{ secret: 'short' }, /secret/],
    [{ secret: 'a'.repeat(32) }, /`secret` must .* at least 8 different ones; make one with node -e/],
    [{ secret: Buffer.alloc(64) }, /`secret` must .* at least 8 different ones/],
    [{ secret: 'changeme'.repeat(4) }, /`secret` must .* at least 8 different ones/],
    [{ secret: SECRET, maxAgeMs: 0 }, /maxAgeMs/],
    [{ secret: SECRET, maxAgeMs: Infinity }, /`maxAgeMs` must be a positive whole number of milliseconds/],
    [{ secret: SECRET, name: '' }, /`name` must be a cookie name/],
    [
      undefined,
      /^passport-justlogin: options must be an object, not undefined \(CookieStateStore\) \(see \S+#ebadoptions\)$/,
    ],
  ])('rejects bad options %j', (options, message) => {
    expect(() => new CookieStateStore(options as CookieStateStoreOptions)).toThrow(message);
  });
});
