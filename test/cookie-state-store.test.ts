import { parseSetCookie } from 'cookie';
import request from 'supertest';
import {
  CookieStateStore,
  JustLoginStrategy,
  type JustLoginStrategyOptions,
  type JustLoginVerifyWithProfile,
} from '../lib';
import { makeApp } from './support/app';
import { fakeIdToken, idTokenClaims } from './support/id-token';
import { TokenServer, tokenResponse } from './support/token-server';

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

async function begin(app: ReturnType<typeof makeApp>) {
  const login = await request(app).get('/login');
  const query = new URL(login.headers.location).searchParams;
  nonce = query.get('nonce');
  const setCookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
  return { state: query.get('state') ?? '', setCookie, cookie: setCookie.map((c) => c.split(';')[0]).join('; ') };
}

const callback = (app: ReturnType<typeof makeApp>, state: string, cookie: string) =>
  request(app).get(`/callback?code=c1&state=${state}`).set('Cookie', cookie);

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
    const { app } = sessionless(new CookieStateStore({ secret: SECRET, maxAge: 300 }));
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

  it('keeps nothing readable in the cookie but what it signs', async () => {
    const { app } = sessionless(new CookieStateStore({ secret: SECRET }));
    const { cookie } = await begin(app);
    expect(cookie).not.toContain(SECRET);
    expect(cookie).not.toContain('cookie-test-client-secret');
  });

  it.each([
    [
      'replayed after use',
      async (app: ReturnType<typeof makeApp>) => {
        const flow = await begin(app);
        await callback(app, flow.state, flow.cookie).expect(200);
        return flow;
      },
    ],
    [
      'tampered with',
      async (app: ReturnType<typeof makeApp>) => {
        const flow = await begin(app);
        const [name, value] = flow.cookie.split('=');
        const [body, signature] = value.split('.');
        const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
        payload.s.returnTo = 'https://evil.example/';
        const forged = Buffer.from(JSON.stringify(payload)).toString('base64url');
        return { ...flow, cookie: `${name}=${forged}.${signature}` };
      },
    ],
    ['missing', async (app: ReturnType<typeof makeApp>) => ({ ...(await begin(app)), cookie: '' })],
    [
      'from another sign-in',
      async (app: ReturnType<typeof makeApp>) => {
        const mine = await begin(app);
        const other = await begin(app);
        return { ...mine, cookie: other.cookie };
      },
    ],
    [
      'signed with another secret',
      async (app: ReturnType<typeof makeApp>) => {
        const flow = await begin(app);
        const foreign = sessionless(new CookieStateStore({ secret: 'another-secret-of-at-least-32-chars!' }));
        const theirs = await begin(foreign.app);
        return { ...flow, cookie: theirs.cookie };
      },
    ],
  ])('fails the sign-in when the cookie is %s', async (_case, prepare) => {
    const { app } = sessionless(new CookieStateStore({ secret: SECRET }));
    const { state, cookie } = await prepare(app);
    const before = server.requests.length;
    const res = await callback(app, state, cookie);
    expect(res.headers.location).toBe('/failed');
    expect(server.requests).toHaveLength(before);
  });

  it('fails the sign-in when the cookie has expired', async () => {
    const { app } = sessionless(new CookieStateStore({ secret: SECRET, maxAge: 1 }));
    const { state, cookie } = await begin(app);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const res = await callback(app, state, cookie);
    expect(res.headers.location).toBe('/failed');
  });

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
  });

  it.each([
    [{ secret: 'short' }, /secret/],
    [{ secret: SECRET, maxAge: 0 }, /maxAge/],
  ])('rejects bad options %j', (options, message) => {
    expect(() => new CookieStateStore(options)).toThrow(message);
  });
});
