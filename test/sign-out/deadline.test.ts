// A sign-out never fails because of JustLogin: against a JustLogin without revocation or end-session
// endpoints, and one that never answers, the local session still ends, within the sign-out's deadline,
// and the browser goes on to the app's own page (or to the end-session URL, when it needs no request).
import type { Server } from 'node:http';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { JustLoginClient, JustLoginRefresher, signOutHandler, type JustLoginTokenSet } from '../../lib';
import { fakeIdToken } from '../support/id-token';
import { TokenServer } from '../support/token-server';

const TOKENS: JustLoginTokenSet = {
  accessToken: 'access-token-Deadline-7Qw',
  refreshToken: 'refresh-token-Deadline-3Zx',
  idToken: fakeIdToken({ sub: 'user-42' }),
  tokenType: 'Bearer',
};

let justlogin: TokenServer;
let server: Server | undefined;
let store: session.MemoryStore;
const logger = { warn: jest.fn() };

beforeEach(async () => {
  justlogin = await TokenServer.start();
  logger.warn.mockClear();
});
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  await justlogin.stop();
});

/** An app whose `POST /test-login` signs a user with TOKENS in, and `/logout` signs out with `client`. */
async function app(client: JustLoginClient, timeoutMs?: number): Promise<string> {
  const passport = new Passport();
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  store = new session.MemoryStore();
  const application = express();
  application.use(
    session({ secret: 'deadline-test-session-secret-8Kw2', resave: false, saveUninitialized: false, store }),
  );
  application.use(passport.session());
  application.post('/test-login', (req, res, next) =>
    req.login({ tokens: TOKENS }, (err) => (err ? next(err) : res.sendStatus(204))),
  );
  application.get('/profile', (req, res) => res.sendStatus(req.user ? 200 : 401));
  application.post(
    '/logout',
    signOutHandler({
      refresher: new JustLoginRefresher({ client }),
      postLogoutRedirectURI: 'http://127.0.0.1/auth/signed-out',
      ...(timeoutMs ? { timeoutMs } : {}),
      logger,
    }),
  );
  server = await new Promise<Server>((resolve) => {
    const listening = application.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function signedIn(url: string): Promise<string> {
  const login = await fetch(`${url}/test-login`, { method: 'POST' });
  const cookie = login.headers.getSetCookie()[0].split(';')[0];
  expect((await fetch(`${url}/profile`, { headers: { cookie } })).status).toBe(200);
  return cookie;
}

const sessionCount = () => new Promise<number>((resolve) => store.length((_err, length) => resolve(length ?? 0)));

function client(options: object = {}): JustLoginClient {
  return new JustLoginClient({
    clientID: 'client-abc',
    clientSecret: 'secret-xyz',
    baseURL: justlogin.origin,
    ...options,
  });
}

function discovery(endpoints: Record<string, string> = {}) {
  return { body: { issuer: `${justlogin.origin}/v1/auth`, jwks_uri: `${justlogin.origin}/keys`, ...endpoints } };
}

const warned = () => logger.warn.mock.calls.map(([line]) => line as string).join('\n');

describe('signing out with a JustLogin that lacks the endpoints', () => {
  it('advertising neither revocation nor end session: ends the local session and goes to the app’s own page', async () => {
    justlogin.reply(discovery());
    const url = await app(client({ discovery: true }));
    const cookie = await signedIn(url);
    const signOut = await fetch(`${url}/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    expect(signOut.status).toBe(303);
    expect(signOut.headers.get('location')).toBe('/');
    expect(signOut.headers.getSetCookie().join()).not.toMatch(/justlogin_signout/);
    expect(justlogin.requests.map((request) => request.url)).toEqual(['/v1/auth/.well-known/openid-configuration']);
    expect((await fetch(`${url}/profile`, { headers: { cookie } })).status).toBe(401);
    expect(await sessionCount()).toBe(0);
    expect(warned()).toMatch(/could not revoke the refresh token at JustLogin \(EUNSUPPORTED\)/);
    expect(warned()).not.toContain(TOKENS.refreshToken);
  });

  it("answering 404 at IdentityServer's inferred revocation path: ends the local session and goes on to end-session", async () => {
    justlogin.reply({ status: 404, body: '' });
    const url = await app(client());
    const cookie = await signedIn(url);
    const signOut = await fetch(`${url}/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    expect(signOut.status).toBe(303);
    expect(new URL(signOut.headers.get('location')!).pathname).toBe('/v1/auth/connect/endsession');
    expect(justlogin.requests.map((request) => request.url)).toEqual(['/v1/auth/connect/revocation']);
    expect(await sessionCount()).toBe(0);
    expect(warned()).toMatch(/could not revoke the refresh token at JustLogin \(EHTTPSTATUS\)/);
  });
});

describe('signing out with a JustLogin that never answers', () => {
  it.each([
    ['with discovery: to the app’s own page', { discovery: true }, '/'],
    ['without discovery: to the inferred end-session URL', {}, '/v1/auth/connect/endsession'],
  ])('ends the local session within the deadline, %s', async (_name, options, path) => {
    justlogin.reply('hang');
    const url = await app(client({ ...options, timeout: 20_000 }), 300);
    const cookie = await signedIn(url);
    const started = Date.now();
    const signOut = await fetch(`${url}/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    // Well before the client's own 20 s timeout: the sign-out's 300 ms deadline ended the wait.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(signOut.status).toBe(303);
    expect(new URL(signOut.headers.get('location')!, url).pathname).toBe(path);
    expect((await fetch(`${url}/profile`, { headers: { cookie } })).status).toBe(401);
    expect(await sessionCount()).toBe(0);
    expect(warned()).toMatch(/sign-out steps at JustLogin did not finish within 300 ms; the local session has ended/);
  });
});
