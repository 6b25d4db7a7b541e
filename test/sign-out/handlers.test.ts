// The sign-out handlers' edges, against an Express app and a stand-in JustLogin on 127.0.0.1 that
// publishes its keys and records what it is sent: their options, a local sign-out that fails, the
// post-logout return without its cookie, and back-channel logout without a body parser, with a store
// that fails, or with keys that cannot be fetched; and the memory index of sessions.
import type { Server } from 'node:http';
import express from 'express';
import { SignJWT } from 'jose';
import {
  JustLoginClient,
  JustLoginOptionsError,
  MemorySessionIndex,
  backChannelLogout,
  backChannelLogoutHandler,
  postLogoutHandler,
  signOutHandler,
  type JustLoginTokenSet,
} from '../../lib';
import { signingKey, type SigningKey } from '../support/keys';
import { TokenServer } from '../support/token-server';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
let justlogin: TokenServer;
let key: SigningKey;
let server: Server | undefined;

beforeAll(async () => {
  key = await signingKey('key-1');
  justlogin = await TokenServer.start();
  justlogin.reply((request) => (request.url.endsWith('/jwks') ? { body: { keys: [key.jwk] } } : { body: '' }));
});
afterAll(() => justlogin.stop());
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

const client = () =>
  new JustLoginClient({ clientID: 'client-abc', clientSecret: 'secret-xyz', baseURL: justlogin.origin });

let jti = 0;
function logoutToken(claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: `${justlogin.origin}/v1/auth`,
    aud: 'client-abc',
    iat: now,
    jti: `jti-${(jti += 1)}`,
    events: { [EVENT]: {} },
    ...claims,
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'logout+jwt' })
    .sign(key.privateKey);
}

async function listen(app: express.Express): Promise<string> {
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function post(url: string, body: string, type = 'application/x-www-form-urlencoded') {
  return fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
}

describe('signOutHandler', () => {
  it('refuses options without refresher or client, with both, or with a bad URL or returnTo', () => {
    const problems = (options: object) => {
      try {
        signOutHandler(options as never);
      } catch (error) {
        expect(error).toBeInstanceOf(JustLoginOptionsError);
        return (error as JustLoginOptionsError).problems.join('\n');
      }
      throw new Error('expected the options to be refused');
    };
    expect(problems({})).toMatch(/`refresher` is required/);
    expect(problems({ client: client(), refresher: { client: client(), forget: () => undefined } })).toMatch(
      /`refresher` cannot be given with `client`/,
    );
    expect(problems({ client: client(), postLogoutRedirectURI: '/signed-out' })).toMatch(
      /`postLogoutRedirectURI` must be an absolute http\(s\) URL/,
    );
    expect(problems({ client: client(), returnTo: '//evil.example/' })).toMatch(/`returnTo` must be a path of the app/);
    expect(problems({ client: client(), timeoutMs: 0 })).toMatch(/`timeoutMs`/);
  });

  it('signs out with a client alone, reading the tokens where `tokens` says, and passes a failed local sign-out to next', async () => {
    const logger = { warn: jest.fn() };
    const tokens: JustLoginTokenSet = { accessToken: 'a', refreshToken: 'refresh-Ok7', tokenType: 'Bearer' };
    const app = express();
    app.post('/logout', (req, _res, next) => {
      Object.assign(req, { justlogin: tokens, logout: (done: (err?: unknown) => void) => done() });
      next();
    });
    app.post('/broken', (req, _res, next) => {
      Object.assign(req, { logout: (done: (err?: unknown) => void) => done(new Error('store down')) });
      next();
    });
    const handler = signOutHandler({
      client: client(),
      tokens: (req) => (req as { justlogin?: JustLoginTokenSet }).justlogin,
      logger,
    });
    app.post(['/logout', '/broken'], handler);
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send(err.message);
    });
    const url = await listen(app);
    const before = justlogin.requests.length;
    const signOut = await fetch(`${url}/logout`, { method: 'POST', redirect: 'manual' });
    expect(signOut.status).toBe(303);
    expect(new URL(signOut.headers.get('location')!).searchParams.get('client_id')).toBe('client-abc');
    expect(justlogin.requests.slice(before).map((request) => request.form.token)).toEqual(['refresh-Ok7']);
    const broken = await fetch(`${url}/broken`, { method: 'POST', redirect: 'manual' });
    expect(broken.status).toBe(500);
    expect(await broken.text()).toBe('store down');
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('goes on without tokens when reading them throws, and says so without the error text', async () => {
    const logger = { warn: jest.fn() };
    const app = express();
    app.post(
      '/logout',
      signOutHandler({
        client: client(),
        tokens: () => {
          throw new Error('secret-in-a-message');
        },
        logger,
      }),
    );
    const url = await listen(app);
    expect((await fetch(`${url}/logout`, { method: 'POST', redirect: 'manual' })).status).toBe(303);
    expect(logger.warn).toHaveBeenCalledWith(
      "passport-justlogin: sign-out could not read the request's tokens (an error)",
    );
  });
});

describe('postLogoutHandler', () => {
  it('refuses a return without the state cookie, or with another state, and keeps the cookie', async () => {
    const app = express();
    app.get('/auth/signed-out', postLogoutHandler());
    const url = await listen(app);
    const missing = await fetch(`${url}/auth/signed-out?state=abc`, { redirect: 'manual' });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('set-cookie')).toBeNull();
    const other = await fetch(`${url}/auth/signed-out?state=abc`, {
      headers: { cookie: 'justlogin_signout=xyz' },
      redirect: 'manual',
    });
    expect(other.status).toBe(400);
    const twice = await fetch(`${url}/auth/signed-out?state=abc&state=abc`, {
      headers: { cookie: 'justlogin_signout=abc' },
      redirect: 'manual',
    });
    expect(twice.status).toBe(400);
    const own = await fetch(`${url}/auth/signed-out?state=abc`, {
      headers: { cookie: 'other=1; justlogin_signout=abc' },
      redirect: 'manual',
    });
    expect(own.status).toBe(303);
    expect(own.headers.get('location')).toBe('/');
    expect(own.headers.get('set-cookie')).toBe(
      'justlogin_signout=; Max-Age=0; Path=/auth/signed-out; HttpOnly; SameSite=Lax',
    );
  });
});

describe('backChannelLogoutHandler', () => {
  /** An app with the handler and no body parser; its store's destroy is `destroy`. */
  async function backChannelApp(destroy: (sid: string, done: (err?: Error | null) => void) => void) {
    const sessions = new MemorySessionIndex();
    const app = express();
    app.all('/backchannel', backChannelLogoutHandler({ client: client(), sessions, store: { destroy } }));
    return { sessions, url: `${await listen(app)}/backchannel` };
  }

  it('reads the form body itself, ends the sessions of the sid, and only those', async () => {
    const destroyed: string[] = [];
    const { sessions, url } = await backChannelApp((sid, done) => {
      destroyed.push(sid);
      done();
    });
    await sessions.add('session-1', { sub: 'alice', sid: 'sid-1' });
    await sessions.add('session-2', { sub: 'alice', sid: 'sid-2' });
    const answer = await post(
      url,
      new URLSearchParams({ logout_token: await logoutToken({ sid: 'sid-1', sub: 'alice' }) }).toString(),
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(destroyed).toEqual(['session-1']);
    // Without a sid: every session of the user.
    const bySub = await post(
      url,
      new URLSearchParams({ logout_token: await logoutToken({ sub: 'alice' }) }).toString(),
    );
    expect(bySub.status).toBe(200);
    expect(destroyed).toEqual(['session-1', 'session-2']);
  });

  it('answers 400 to a body that is not a form, to a token given twice, and 405 to a GET', async () => {
    const { url } = await backChannelApp((_sid, done) => done());
    const token = await logoutToken({ sub: 'alice' });
    const json = await post(url, JSON.stringify({ logout_token: token }), 'application/json');
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error_description: 'The logout token was refused (ELOGOUTFORMAT)' });
    const twice = await post(url, `logout_token=${token}&logout_token=${token}`);
    expect(twice.status).toBe(400);
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('answers 400 logout_failed, never the store’s words, when the store cannot end a session', async () => {
    const { sessions, url } = await backChannelApp((_sid, done) => done(new Error('redis said no to session-9')));
    await sessions.add('session-9', { sub: 'bob' });
    const answer = await post(url, new URLSearchParams({ logout_token: await logoutToken({ sub: 'bob' }) }).toString());
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      error: 'logout_failed',
      error_description: "The app's sessions could not be ended",
    });
  });

  it('refuses options without store or destroySession, or with both', () => {
    const sessions = new MemorySessionIndex();
    expect(() => backChannelLogoutHandler({ client: client(), sessions })).toThrow(/`destroySession` is required/);
    expect(() =>
      backChannelLogoutHandler({
        client: client(),
        sessions,
        store: { destroy: (_sid, done) => done() },
        destroySession: () => undefined,
      }),
    ).toThrow(/`destroySession` cannot be given with `store`/);
  });
});

describe('backChannelLogout', () => {
  it("says the token could not be checked, by the error's code, when JustLogin's keys cannot be fetched", async () => {
    const unreachable = new JustLoginClient({
      clientID: 'client-abc',
      clientSecret: 'secret-xyz',
      baseURL: justlogin.origin,
      jwksURL: 'http://127.0.0.1:9/keys',
    });
    const logout = backChannelLogout({
      client: unreachable,
      sessions: new MemorySessionIndex(),
      destroySession: () => undefined,
    });
    await expect(logout(await logoutToken({ sub: 'carol' }))).resolves.toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'The logout token could not be checked (ECONNREFUSED)' },
    });
    await expect(logout(undefined)).resolves.toMatchObject({ status: 400 });
  });
});

describe('MemorySessionIndex', () => {
  let now: number;
  beforeEach(() => {
    now = 1_700_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('forgets a session after ttlMs, on remove, and when it is indexed again under another sign-in', async () => {
    const index = new MemorySessionIndex({ ttlMs: 1_000 });
    await index.add('s-1', { sub: 'alice', sid: 'sid-1' });
    await index.add('s-2', { sub: 'alice', sid: 'sid-1' });
    await index.add('s-3', { sub: 'bob', sid: 'sid-3' });
    await index.remove('s-2');
    await index.add('s-3', { sub: 'alice', sid: 'sid-1' }); // the same session, signed in again
    expect(await index.take({ sid: 'sid-3' })).toEqual([]);
    now += 1_000;
    expect(await index.take({ sid: 'sid-1' })).toEqual([]);
  });

  it('keeps at most its bound, the oldest forgotten first, and refuses a sign-in without sub', async () => {
    const index = new MemorySessionIndex({}, 2);
    for (const id of ['s-1', 's-2', 's-3']) await index.add(id, { sub: 'alice' });
    expect((await index.take({ sub: 'alice' })).sort()).toEqual(['s-2', 's-3']);
    await expect(index.add('s-4', { sid: 'x' })).rejects.toThrow(JustLoginOptionsError);
    expect(() => new MemorySessionIndex({ ttlMs: -1 })).toThrow(/`ttlMs`/);
  });
});
