import { createHash } from 'node:crypto';
import * as net from 'node:net';
import type { Request } from 'express';
import request from 'supertest';
import {
  JustLoginOptionsError,
  JustLoginStrategy,
  Strategy,
  type JustLoginStrategyOptions,
  type JustLoginVerifyWithParams,
  type JustLoginVerifyWithProfile,
  type JustLoginVerifyWithRequestAndParams,
  type JustLoginVerifyWithRequestAndProfile,
} from '../../lib';
import { makeApp } from '../support/app';
import { fakeIdToken, idTokenClaims } from '../support/id-token';
import { TokenServer, tokenResponse } from '../support/token-server';
import { seeGuide } from '../support/guide';

const CLIENT_ID = 'client-abc';
const CLIENT_SECRET = 'super-secret-value-123';
const CALLBACK = 'http://app.test/callback';

let server: TokenServer;
/** The nonce of the last authorization request, which JustLogin puts back in the id_token. */
let nonce: string | undefined;
const idToken = (claims: Record<string, unknown> = {}) => fakeIdToken(idTokenClaims(CLIENT_ID, { nonce, ...claims }));

beforeEach(async () => {
  server = await TokenServer.start();
  nonce = undefined;
  server.reply(() => ({ body: tokenResponse({ id_token: idToken() }) }));
});
afterEach(() => server.stop());

function options(overrides: Partial<JustLoginStrategyOptions> = {}): JustLoginStrategyOptions {
  return {
    clientID: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    callbackURL: CALLBACK,
    baseURL: server.origin,
    ...overrides,
  };
}

const keepProfile: JustLoginVerifyWithParams = (_at, _rt, params, profile, done) =>
  done(null, { id: profile.id, params });

/** Runs /login then /callback with the state JustLogin would echo; returns the callback response. */
async function signIn(strategy: JustLoginStrategy, code = 'auth-code-1') {
  const agent = request.agent(makeApp(strategy));
  const login = await agent.get('/login');
  const location = new URL(login.headers.location);
  const state = location.searchParams.get('state');
  nonce = location.searchParams.get('nonce') ?? undefined;
  const query = new URLSearchParams({ code, ...(state ? { state } : {}) });
  const callback = await agent.get(`/callback?${query.toString()}`);
  return { login, location, callback };
}

function expectNoSecrets(text: string) {
  for (const secret of [CLIENT_SECRET, 'access-token-0001', 'refresh-token-0001']) {
    expect(text).not.toContain(secret);
  }
}

describe('construction', () => {
  it('is a Passport strategy named justlogin, also exported as Strategy', () => {
    const strategy = new JustLoginStrategy(options(), keepProfile);
    expect(strategy.name).toBe('justlogin');
    expect(Strategy).toBe(JustLoginStrategy);
  });

  it.each([
    ['clientID', { clientID: '' }],
    ['clientSecret', { clientSecret: undefined }],
    ['callbackURL', { callbackURL: undefined }],
    ['environment', { environment: 'test' }],
    ['baseURL', { baseURL: 'ftp://example.com' }],
    ['baseURL', { baseURL: 'not a url' }],
    ['timeout', { timeout: 0 }],
    ['clockTolerance', { clockTolerance: -1 }],
    ['pkce', { state: false, pkce: true }],
    ['skipUserProfile', { skipUserProfile: 'yes' }],
  ])('throws a JustLoginOptionsError naming `%s`', (name, bad) => {
    const make = () => new JustLoginStrategy(options(bad as Partial<JustLoginStrategyOptions>), keepProfile);
    expect(make).toThrow(JustLoginOptionsError);
    expect(make).toThrow(name);
  });

  it('needs a verify callback', () => {
    expect(() => new JustLoginStrategy(options(), undefined as unknown as JustLoginVerifyWithProfile)).toThrow(
      /verify/,
    );
  });
});

describe('endpoints', () => {
  async function loginLocation(overrides: Partial<JustLoginStrategyOptions>) {
    const strategy = new JustLoginStrategy({ ...options(), baseURL: undefined, ...overrides }, keepProfile);
    const res = await request(makeApp(strategy)).get('/login');
    return new URL(res.headers.location);
  }

  it('uses JustLogin production by default', async () => {
    const location = await loginLocation({});
    expect(location.origin + location.pathname).toBe('https://apis.justlogin.com/v1/auth/connect/authorize');
    expect(new JustLoginStrategy({ ...options(), baseURL: undefined }, keepProfile).client.tokenURL).toBe(
      'https://apis.justlogin.com/v1/auth/connect/token',
    );
  });

  it("uses JustLogin's staging environment for environment: staging", async () => {
    const location = await loginLocation({ environment: 'staging' });
    expect(location.origin + location.pathname).toBe('https://apis.justloginstaging.xyz/v1/auth/connect/authorize');
  });

  it('appends the paths to baseURL without doubling a trailing slash', async () => {
    const location = await loginLocation({ baseURL: 'http://127.0.0.1:4000/' });
    expect(location.href.split('?')[0]).toBe('http://127.0.0.1:4000/v1/auth/connect/authorize');
  });

  it('lets explicit authorizationURL and tokenURL win', async () => {
    const location = await loginLocation({
      environment: 'staging',
      authorizationURL: 'https://idp.example/authorize',
      tokenURL: server.url,
    });
    expect(location.href.split('?')[0]).toBe('https://idp.example/authorize');
  });
});

describe('authorization request', () => {
  it('sends response_type, client_id, redirect_uri, scope openid, state and PKCE S256', async () => {
    const res = await request(makeApp(new JustLoginStrategy(options(), keepProfile))).get('/login');
    expect(res.status).toBe(302);
    const query = new URL(res.headers.location).searchParams;
    expect(query.get('response_type')).toBe('code');
    expect(query.get('client_id')).toBe(CLIENT_ID);
    expect(query.get('redirect_uri')).toBe(CALLBACK);
    expect(query.get('scope')).toBe('openid');
    expect(query.get('state')).toMatch(/^\S{16,}$/);
    expect(query.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(res.headers.location).not.toContain(CLIENT_SECRET);
  });

  it.each([
    [['openid', 'x'], 'openid x'],
    ['x', 'openid x'],
    [['x'], 'openid x'],
    ['x openid x', 'openid x'],
  ])('scope %j is sent as "%s"', async (scope, sent) => {
    const res = await request(makeApp(new JustLoginStrategy(options({ scope }), keepProfile))).get('/login');
    expect(new URL(res.headers.location).searchParams.get('scope')).toBe(sent);
  });

  it('keeps openid when authenticate() is given a scope', async () => {
    const strategy = new JustLoginStrategy(options(), keepProfile);
    const redirect = await new Promise<string>((resolve) => {
      strategy.redirect = (url: string) => resolve(url);
      strategy.authenticate({ query: {}, session: {}, headers: {} }, { scope: 'payroll' });
    });
    expect(new URL(redirect).searchParams.get('scope')).toBe('openid payroll');
  });
});

describe('callback URL and session key', () => {
  it('resolves a relative callbackURL against the request, trusting X-Forwarded-* only with proxy: true', async () => {
    const plain = await request(makeApp(new JustLoginStrategy(options({ callbackURL: '/callback' }), keepProfile)))
      .get('/login')
      .set('Host', 'app.example:8080')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'evil.example');
    expect(new URL(plain.headers.location).searchParams.get('redirect_uri')).toBe('http://app.example:8080/callback');
    const proxied = await request(
      makeApp(new JustLoginStrategy(options({ callbackURL: '/callback', proxy: true }), keepProfile)),
    )
      .get('/login')
      .set('Host', 'internal:3000')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'app.example');
    expect(new URL(proxied.headers.location).searchParams.get('redirect_uri')).toBe('https://app.example/callback');
  });

  it('keeps the pending state under sessionKey', async () => {
    const session: Record<string, unknown> = {};
    const strategy = new JustLoginStrategy(options({ sessionKey: 'justlogin:pending' }), keepProfile);
    await new Promise<void>((resolve) => {
      strategy.redirect = () => resolve();
      strategy.authenticate({ query: {}, headers: {}, session });
    });
    expect(Object.keys(session)).toEqual(['justlogin:pending']);
  });
});

describe('code exchange', () => {
  it('posts the code, redirect_uri, verifier and client credentials in the body, with no Authorization header', async () => {
    const { location, callback } = await signIn(new JustLoginStrategy(options(), keepProfile));
    expect(callback.status).toBe(200);
    expect(server.requests).toHaveLength(1);
    const [sent] = server.requests;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/v1/auth/connect/token');
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.form).toEqual({
      grant_type: 'authorization_code',
      code: 'auth-code-1',
      redirect_uri: CALLBACK,
      code_verifier: expect.any(String),
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    const challenge = createHash('sha256').update(sent.form.code_verifier).digest('base64url');
    expect(location.searchParams.get('code_challenge')).toBe(challenge);
  });

  it('passes params with expires_in, id_token, token_type and scope, and no refresh_token', async () => {
    const { callback } = await signIn(new JustLoginStrategy(options(), keepProfile));
    const { params } = callback.body.user;
    expect(params).toEqual({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'openid',
      id_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    });
  });

  it('refuses a callback whose state does not match', async () => {
    const agent = request.agent(makeApp(new JustLoginStrategy(options(), keepProfile)));
    await agent.get('/login');
    const res = await agent.get('/callback?code=abc&state=forged');
    expect(res.headers.location).toBe('/failed');
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a callback with the code given twice', async () => {
    const agent = request.agent(makeApp(new JustLoginStrategy(options(), keepProfile)));
    await agent.get('/login');
    const res = await agent.get('/callback?code=a&code=b&state=x');
    expect(res.headers.location).toBe('/failed');
    expect(server.requests).toHaveLength(0);
  });

  it('honours state: false and pkce: false', async () => {
    const strategy = new JustLoginStrategy(options({ state: false, pkce: false }), keepProfile);
    const { location, callback } = await signIn(strategy);
    expect(location.searchParams.has('state')).toBe(false);
    expect(location.searchParams.has('code_challenge')).toBe(false);
    expect(callback.status).toBe(200);
    expect(server.requests[0].form.code_verifier).toBeUndefined();
  });

  it('keeps state without PKCE for pkce: false', async () => {
    const { location, callback } = await signIn(new JustLoginStrategy(options({ pkce: false }), keepProfile));
    expect(location.searchParams.get('state')).toBeTruthy();
    expect(location.searchParams.has('code_challenge')).toBe(false);
    expect(callback.status).toBe(200);
  });

  it('uses a custom state store and needs no session then', async () => {
    const calls: string[] = [];
    const store = {
      keepsNonce: false,
      store(_req: unknown, _meta: unknown, callback: (err: Error | null, state: string) => void) {
        calls.push('store');
        callback(null, 'custom-state');
      },
      verify(
        _req: unknown,
        state: string,
        _meta: unknown,
        callback: (err: Error | null, ok: boolean, info: unknown) => void,
      ) {
        calls.push(`verify:${state}`);
        callback(null, state === 'custom-state', {});
      },
    };
    const strategy = new JustLoginStrategy(options({ store: store as never, pkce: false }), keepProfile);
    const app = makeApp(strategy, { session: false });
    const login = await request(app).get('/login');
    expect(new URL(login.headers.location).searchParams.get('state')).toBe('custom-state');
    const callback = await request(app).get('/callback?code=c1&state=custom-state');
    expect(callback.status).toBe(200);
    expect(calls).toEqual(['store', 'verify:custom-state']);
  });

  /** An in-memory store in each form passport-oauth2 calls: `store` with 2 to 5 parameters, `verify` with 3 or 4. */
  function storeOfArity(arity: 2 | 3 | 4 | 5) {
    const records = new Map<string, { verifier?: string; state?: unknown }>();
    const calls: string[] = [];
    let next = 0;
    const keep = (verifier: unknown, state: unknown, callback: (err: Error | null, handle?: string) => void) => {
      const handle = `handle-${++next}`;
      records.set(handle, { verifier: typeof verifier === 'string' ? verifier : undefined, state });
      calls.push(`store:${handle}`);
      callback(null, handle);
    };
    type Done = (err: Error | null, ok?: string | boolean, state?: unknown) => void;
    type Issued = (err: Error | null, handle?: string) => void;
    const take = (handle: string, callback: Done) => {
      calls.push(`verify:${handle}`);
      const record = records.get(handle);
      records.delete(handle);
      if (!record) return callback(null, false, { message: 'Unknown state' });
      callback(null, record.verifier ?? true, record.state);
    };
    const stores = {
      2: {
        keepsNonce: false,
        store: (_req: unknown, cb: Issued) => keep(undefined, undefined, cb),
        verify: (_req: unknown, h: string, cb: Done) => take(h, cb),
      },
      3: {
        keepsNonce: false,
        store: (_req: unknown, _meta: unknown, cb: Issued) => keep(undefined, undefined, cb),
        verify: (_req: unknown, h: string, _meta: unknown, cb: Done) => take(h, cb),
      },
      4: {
        keepsNonce: false,
        store: (_req: unknown, state: unknown, _meta: unknown, cb: Issued) => keep(undefined, state, cb),
        verify: (_req: unknown, h: string, _meta: unknown, cb: Done) => take(h, cb),
      },
      5: {
        store: (_req: unknown, verifier: unknown, state: unknown, _meta: unknown, cb: Issued) =>
          keep(verifier, state, cb),
        verify: (_req: unknown, h: string, _meta: unknown, cb: Done) => take(h, cb),
      },
    };
    return { store: stores[arity], stores, records, calls, keep, take };
  }

  it.each([2, 3, 4, 5] as const)(
    'works with a state store whose store takes %i arguments (fewer than 5: keepsNonce: false), verifying the state once',
    async (arity) => {
      const { store, records, calls } = storeOfArity(arity);
      const pkce = arity === 5;
      const strategy = new JustLoginStrategy(options({ store: store as never, pkce }), keepProfile);
      let authInfo: unknown;
      const app = makeApp(strategy, {
        session: false,
        loginOptions: { state: { returnTo: '/reports' } },
        onSuccess: (req) => {
          authInfo = req.authInfo;
        },
      });
      const login = new URL((await request(app).get('/login')).headers.location);
      const state = login.searchParams.get('state') ?? '';
      // A store that keeps the nonce keeps it in the state object; one that says it cannot gets none.
      nonce = login.searchParams.get('nonce') ?? undefined;
      expect(nonce !== undefined).toBe(arity === 5);
      if (arity === 5) expect(records.get(state)?.state).toEqual({ returnTo: '/reports', nonce });
      expect(login.searchParams.has('code_challenge')).toBe(pkce);

      const callback = await request(app).get(`/callback?code=c1&state=${state}`);

      expect(callback.status).toBe(200);
      expect(calls).toEqual([`store:${state}`, `verify:${state}`]);
      expect(server.requests[0].form.code_verifier !== undefined).toBe(pkce);
      expect(authInfo).toEqual(arity >= 4 ? { state: { returnTo: '/reports' } } : {});
    },
  );

  it('sends the nonce through a store written with rest parameters, passing it every argument', async () => {
    const { keep, take } = storeOfArity(5);
    type Done = (err: Error | null, ok?: string | boolean, state?: unknown) => void;
    const store = {
      store: (...args: unknown[]) => keep(args[1], args[2], args[4] as Done),
      verify: (...args: unknown[]) => take(args[1] as string, args[3] as Done),
    };
    const strategy = new JustLoginStrategy(options({ store }), keepProfile);
    const { location, callback } = await signIn(strategy);
    expect(location.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(callback.status).toBe(200);
    expect(server.requests[0].form.code_verifier).toMatch(/^[\w-]{43}$/);
  });

  it('sends no nonce through a store that says keepsNonce: false, calling it as passport-oauth2 does', async () => {
    const { stores, records } = storeOfArity(5);
    const strategy = new JustLoginStrategy(options({ store: { ...stores[5], keepsNonce: false } }), keepProfile);
    const app = makeApp(strategy, { session: false, loginOptions: { state: { returnTo: '/reports' } } });
    const login = new URL((await request(app).get('/login')).headers.location);
    const state = login.searchParams.get('state') ?? '';
    expect(login.searchParams.has('nonce')).toBe(false);
    expect(records.get(state)).toEqual({
      verifier: expect.stringMatching(/^[\w-]{43}$/),
      state: { returnTo: '/reports' },
    });
    expect((await request(app).get(`/callback?code=c1&state=${state}`)).status).toBe(200);
  });

  it.each([
    ['store', 3, { store: (_req: unknown, _meta: unknown, _cb: unknown) => {}, verify: () => {} }],
    ['verify', 3, { store: () => {}, verify: (_req: unknown, _handle: unknown, _cb: unknown) => {} }],
  ])('refuses a store whose %s declares %i parameters unless it says keepsNonce', (_fn, _count, store) => {
    expect(() => new JustLoginStrategy(options({ store: store as never }), keepProfile)).toThrow(
      /`store` .*passport-oauth2's shorter forms.*`keepsNonce: false`/,
    );
    expect(() => new JustLoginStrategy(options({ store: { ...store, keepsNonce: false } }), keepProfile)).not.toThrow();
    expect(
      () => new JustLoginStrategy(options({ store: { ...store, keepsNonce: 'no' } as never }), keepProfile),
    ).toThrow(/`store` must have a boolean `keepsNonce`, if any/);
  });

  it("needs none of passport-oauth2's members but _oauth2: the state store, callback URL and proxy are its own", async () => {
    const { stores, calls } = storeOfArity(5);
    const strategy = new JustLoginStrategy(
      options({ store: stores[5], callbackURL: '/callback', proxy: true }),
      keepProfile,
    );
    for (const member of ['_stateStore', '_callbackURL', '_trustProxy', '_scope', '_key', '_pkceMethod']) {
      (strategy as unknown as Record<string, unknown>)[member] = undefined;
    }
    const app = makeApp(strategy, { session: false });
    const login = await request(app).get('/login').set('Host', 'internal:3000').set('X-Forwarded-Host', 'app.example');
    const location = new URL(login.headers.location);
    expect(location.searchParams.get('redirect_uri')).toBe('http://app.example/callback');
    nonce = location.searchParams.get('nonce') ?? undefined;
    const state = location.searchParams.get('state') ?? '';
    const callback = await request(app)
      .get(`/callback?code=c1&state=${state}`)
      .set('Host', 'internal:3000')
      .set('X-Forwarded-Host', 'app.example');
    expect(callback.status).toBe(200);
    expect(server.requests[0].form.redirect_uri).toBe('http://app.example/callback');
    expect(server.requests[0].form.code_verifier).toMatch(/^[\w-]{43}$/);
    expect(calls).toEqual([`store:${state}`, `verify:${state}`]);
  });

  it('passes a state the store refuses to the failure redirect, with no token request', async () => {
    const { store } = storeOfArity(5);
    const app = makeApp(new JustLoginStrategy(options({ store: store as never }), keepProfile), { session: false });
    const res = await request(app).get('/callback?code=c1&state=never-issued');
    expect(res.headers.location).toBe('/failed');
    expect(server.requests).toHaveLength(0);
  });

  it('sends the token parameters a subclass adds with tokenParams, as passport-oauth2 does', async () => {
    class WithResource extends JustLoginStrategy {
      override tokenParams(): object {
        return { resource: 'https://api.example' };
      }
    }
    await signIn(new WithResource(options(), keepProfile));
    expect(server.requests[0].form).toMatchObject({
      resource: 'https://api.example',
      grant_type: 'authorization_code',
    });
  });

  it('reports a verify callback that throws as an error', async () => {
    const throwing: JustLoginVerifyWithProfile = () => {
      throw new Error('verify broke');
    };
    const { callback } = await signIn(new JustLoginStrategy(options(), throwing));
    expect(callback.status).toBe(500);
    expect(callback.body.error.message).toBe('verify broke');
  });

  it('without a session, reports that state needs session support', async () => {
    const res = await request(makeApp(new JustLoginStrategy(options(), keepProfile), { session: false })).get('/login');
    expect(res.status).toBe(500);
    expect(res.body.error.message).toMatch(/requires session support/);
  });
});

describe('verify forms', () => {
  const user = { id: 'u' };

  it('(accessToken, refreshToken, profile, done)', async () => {
    const seen: unknown[] = [];
    const verify: JustLoginVerifyWithProfile = (accessToken, refreshToken, profile, done) => {
      seen.push(accessToken, refreshToken, profile.id);
      done(null, user);
    };
    expect((await signIn(new JustLoginStrategy(options(), verify))).callback.body.user).toEqual(user);
    expect(seen).toEqual(['access-token-0001', 'refresh-token-0001', 'user-42']);
  });

  it('(accessToken, refreshToken, params, profile, done)', async () => {
    const seen: unknown[] = [];
    const verify: JustLoginVerifyWithParams = (accessToken, refreshToken, params, profile, done) => {
      seen.push(accessToken, refreshToken, params.expires_in, profile.id);
      done(null, user);
    };
    await signIn(new JustLoginStrategy(options(), verify));
    expect(seen).toEqual(['access-token-0001', 'refresh-token-0001', 3600, 'user-42']);
  });

  it('(req, accessToken, refreshToken, profile, done) with passReqToCallback', async () => {
    const seen: unknown[] = [];
    const verify: JustLoginVerifyWithRequestAndProfile = (req: Request, accessToken, _rt, profile, done) => {
      seen.push(req.path, accessToken, profile.id);
      done(null, user);
    };
    const strategy = new JustLoginStrategy({ ...options(), passReqToCallback: true }, verify);
    await signIn(strategy);
    expect(seen).toEqual(['/callback', 'access-token-0001', 'user-42']);
  });

  it('(req, accessToken, refreshToken, params, profile, done) with passReqToCallback', async () => {
    const seen: unknown[] = [];
    const strategy = new JustLoginStrategy({ ...options(), passReqToCallback: true }, ((
      req: Request,
      _at,
      _rt,
      params,
      profile,
      done,
    ) => {
      seen.push(req.path, params.token_type, profile.username);
      done(null, user);
    }) satisfies JustLoginVerifyWithRequestAndParams);
    await signIn(strategy);
    expect(seen).toEqual(['/callback', 'Bearer', 'alice']);
  });

  it('a verify that returns false fails the sign-in', async () => {
    const verify: JustLoginVerifyWithProfile = (_at, _rt, _profile, done) =>
      done(null, false, { message: 'not allowed' });
    const { callback } = await signIn(new JustLoginStrategy(options(), verify));
    expect(callback.headers.location).toBe('/failed');
  });
});

describe('profile from the id_token', () => {
  it('is built with no request besides the token exchange', async () => {
    const verify: JustLoginVerifyWithProfile = (_at, _rt, profile, done) => done(null, profile);
    const { callback } = await signIn(new JustLoginStrategy(options(), verify));
    expect(server.requests).toHaveLength(1);
    expect(callback.body.user).toMatchObject({
      provider: 'justlogin',
      id: 'user-42',
      displayName: 'Alice Tan',
      username: 'alice',
      emails: [{ value: 'alice@acme.example' }],
      _json: { sub: 'user-42', aud: CLIENT_ID },
    });
    expect(JSON.parse(callback.body.user._raw).sub).toBe('user-42');
  });

  it.each([
    ['a wrong audience', { aud: 'someone-else' }, /audience/],
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 3600 }, /expired/],
    ['a token issued in the future', { iat: Math.floor(Date.now() / 1000) + 3600 }, /future/],
  ])('fails the sign-in for %s', async (_case, claims, message) => {
    server.reply(() => ({ body: tokenResponse({ id_token: idToken(claims) }) }));
    const { callback } = await signIn(new JustLoginStrategy(options(), keepProfile));
    expect(callback.status).toBe(500);
    expect(callback.body.error).toMatchObject({ name: 'IdTokenError', code: 'EBADIDTOKEN' });
    expect(callback.body.error.message).toMatch(message);
  });

  it('checks iss when issuer is set', async () => {
    const strategy = new JustLoginStrategy(options({ issuer: 'https://other.example/v1/auth' }), keepProfile);
    const { callback } = await signIn(strategy);
    expect(callback.body.error.message).toMatch(/issuer/);
    const ok = new JustLoginStrategy(options({ issuer: 'https://apis.justlogin.com/v1/auth' }), keepProfile);
    expect((await signIn(ok)).callback.status).toBe(200);
  });

  it('tolerates clock skew within clockTolerance', async () => {
    const iat = Math.floor(Date.now() / 1000) + 30;
    server.reply(() => ({ body: tokenResponse({ id_token: idToken({ iat }) }) }));
    expect((await signIn(new JustLoginStrategy(options(), keepProfile))).callback.status).toBe(200);
    expect((await signIn(new JustLoginStrategy(options({ clockTolerance: 0 }), keepProfile))).callback.status).toBe(
      500,
    );
  });

  it('says so when the response has no id_token', async () => {
    server.reply({ body: tokenResponse() });
    const { callback } = await signIn(new JustLoginStrategy(options(), keepProfile));
    expect(callback.body.error.message).toMatch(/no id_token/);
  });

  it('accepts a response without id_token when skipUserProfile is set, and passes no profile', async () => {
    server.reply({ body: tokenResponse() });
    const verify: JustLoginVerifyWithProfile<undefined> = (_at, _rt, profile, done) =>
      done(null, { profile: profile ?? null });
    const { callback } = await signIn(new JustLoginStrategy({ ...options(), skipUserProfile: true }, verify));
    expect(callback.body.user).toEqual({ profile: null });
  });
});

describe('errors', () => {
  it('sends access_denied to the failure redirect', async () => {
    const agent = request.agent(makeApp(new JustLoginStrategy(options(), keepProfile)));
    const state = new URL((await agent.get('/login')).headers.location).searchParams.get('state') ?? '';
    const res = await agent.get(`/callback?error=access_denied&error_description=User+said+no&state=${state}`);
    expect(res.headers.location).toBe('/failed');
    expect((await agent.get('/failed')).body.messages).toEqual(['The user did not allow the sign-in with JustLogin']);
  });

  it('sends other authorization errors with a valid state to the error handler', async () => {
    const agent = request.agent(makeApp(new JustLoginStrategy(options(), keepProfile)));
    const state = new URL((await agent.get('/login')).headers.location).searchParams.get('state') ?? '';
    const res = await agent.get(`/callback?error=invalid_scope&error_description=bad+scope&state=${state}`);
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({
      name: 'JustLoginAuthorizationError',
      code: 'invalid_scope',
      message: `bad scope${seeGuide('invalid_scope')}`,
    });
  });

  it('keeps an OAuth error from the token endpoint as a TokenError with code and status', async () => {
    server.reply({ status: 400, body: { error: 'invalid_grant', error_description: `code ${'auth-code-1'} is used` } });
    const { callback } = await signIn(new JustLoginStrategy(options(), keepProfile), 'auth-code-1');
    expect(callback.body.error).toMatchObject({ name: 'JustLoginTokenError', code: 'invalid_grant', status: 400 });
    expect(callback.body.error.message).not.toContain('auth-code-1');
  });

  it('never puts the client secret into a message, even when JustLogin echoes it', async () => {
    server.reply({
      status: 401,
      body: { error: 'invalid_client', error_description: `secret ${CLIENT_SECRET} is wrong` },
    });
    const { callback } = await signIn(new JustLoginStrategy(options(), keepProfile));
    expect(callback.body.error.code).toBe('invalid_client');
    expectNoSecrets(callback.text);
  });

  it.each([
    [
      'a 500 HTML page',
      { status: 500, body: '<html>Server Error</html>', headers: { 'Content-Type': 'text/html' } },
      'EHTTPSTATUS',
    ],
    ['a 200 that is not JSON', { status: 200, body: 'access_token=abc' }, 'EBADRESPONSE'],
    ['a 200 without access_token', { status: 200, body: { token_type: 'Bearer' } }, 'EBADRESPONSE'],
    ['a token_type other than Bearer', { status: 200, body: tokenResponse({ token_type: 'mac' }) }, 'EBADRESPONSE'],
    ['a 302 redirect', { status: 302, headers: { Location: 'http://127.0.0.1:1/' }, body: '' }, 'EREDIRECT'],
  ])('reports %s as a clear error', async (_case, reply, code) => {
    server.reply(reply);
    const { callback } = await signIn(new JustLoginStrategy(options(), keepProfile));
    expect(callback.status).toBe(500);
    expect(callback.body.error).toMatchObject({ name: 'JustLoginRequestError', code });
    expect(callback.body.error.message).toMatch(/JustLogin/);
    expectNoSecrets(callback.text);
  });

  it('fails with ETIMEDOUT when the token endpoint never answers', async () => {
    server.reply('hang');
    const { callback } = await signIn(new JustLoginStrategy(options({ timeout: 200 }), keepProfile));
    expect(callback.body.error).toMatchObject({ code: 'ETIMEDOUT' });
    expect(callback.body.error.message).toMatch(/200 ms/);
  });

  it('reports a refused connection', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const strategy = new JustLoginStrategy(options({ tokenURL: `http://127.0.0.1:${port}/token` }), keepProfile);
    const { callback } = await signIn(strategy);
    expect(callback.body.error).toMatchObject({ name: 'JustLoginRequestError', code: 'ECONNREFUSED' });
  });

  it('reports a reset connection', async () => {
    server.reply('reset');
    const { callback } = await signIn(new JustLoginStrategy(options(), keepProfile));
    expect(callback.body.error.code).toBe('ECONNRESET');
  });
});
