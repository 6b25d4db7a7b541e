import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import session from 'express-session';
import request from 'supertest';
import { completeSandboxLogin, SandboxLoginError } from './support/sandbox-login';
import { DEMO_USERS, startSandbox, type RunningSandbox } from './support/sandbox';
import { freePort } from './support/free-port';

// The example app (example-app/app.js) on the JustLogin sandbox, driven over
// HTTP by a cookie-keeping client, as a user's browser would.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createApp } = require('../example-app/app') as { createApp: (config: object) => import('express').Express };

const alice = DEMO_USERS.find((user) => user.username === 'alice')!;
let sandbox: RunningSandbox;
let server: Server;
let appURL: string;
let store: session.MemoryStore;

beforeAll(async () => {
  const port = await freePort();
  appURL = `http://localhost:${port}`;
  const callbackURL = `${appURL}/auth/justlogin/callback`;
  sandbox = await startSandbox({ JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL });
  store = new session.MemoryStore();
  const app = createApp({
    justlogin: { clientID: sandbox.clientID, clientSecret: sandbox.clientSecret, callbackURL, baseURL: sandbox.origin },
    sessionSecret: 'example-test-session-secret',
    sessionStore: store,
  });
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(port, '127.0.0.1', () => resolve(listening));
  });
  expect((server.address() as AddressInfo).port).toBe(port);
});
afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await sandbox?.stop();
});

/** Starts at `path`, follows the app to JustLogin, signs in there, and comes back. */
async function signIn(
  agent: ReturnType<typeof request.agent>,
  path = '/auth/justlogin',
  user: { companyId: string; username: string; password: string } = alice,
  consent: 'yes' | 'no' = 'yes',
) {
  let res = await agent.get(path);
  while (res.status === 302 && res.headers.location.startsWith('/')) res = await agent.get(res.headers.location);
  expect(res.headers.location).toMatch(`${sandbox.issuer}/connect/authorize?`);
  const callbackURL = await completeSandboxLogin(res.headers.location, user, consent);
  expect(callbackURL.startsWith(`${appURL}/auth/justlogin/callback?`)).toBe(true);
  const callback = await agent.get(callbackURL.slice(appURL.length));
  return { callbackURL, callback };
}

/** The JustLogin tokens kept in the app's session store for this agent's session. */
async function sessionTokens(): Promise<{ refreshToken: string; accessToken: string; expiresAt: number }> {
  const sessions = await new Promise<Record<string, { passport?: { user?: { tokens: never } } }>>((resolve, reject) =>
    store.all((err, all) => (err ? reject(new Error('the session store failed')) : resolve(all as never))),
  );
  const withUser = Object.values(sessions).filter((s) => s.passport?.user);
  expect(withUser).toHaveLength(1);
  return withUser[0].passport!.user!.tokens;
}

afterEach(async () => {
  await new Promise<void>((resolve) => store.clear(() => resolve()));
});

it('signs a demo user in and shows the profile, the id_token claims and the expiry', async () => {
  const agent = request.agent(appURL);
  const { callback } = await signIn(agent);
  expect(callback.status).toBe(302);
  expect(callback.headers.location).toBe('/profile');
  const cookie = ([] as string[]).concat(callback.headers['set-cookie'] ?? []).join(';');
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Lax/);
  const profile = await agent.get('/profile').expect(200);
  expect(profile.text).toContain('Hello, Alice Tan');
  expect(profile.text).toContain(alice.claims.sub);
  expect(profile.text).toContain('alice@acme.example');
  expect(profile.text).toContain('Acme Corporation');
  expect(profile.text).toMatch(/access token expires<\/th><td>\d{4}-\d\d-\d\dT[\d:.]+Z \(in 3[56]\d\d s\)/);
});

it('shows the error on the sign-in page for a wrong password, and signs nobody in', async () => {
  const agent = request.agent(appURL);
  const login = await agent.get('/auth/justlogin');
  await expect(completeSandboxLogin(login.headers.location, { ...alice, password: 'wrong' }, 'yes')).rejects.toThrow(
    SandboxLoginError,
  );
  expect((await agent.get('/profile')).headers.location).toMatch(/^\/auth\/justlogin/);
});

it('returns to the home page with a message when the user says No on the consent page', async () => {
  const agent = request.agent(appURL);
  const { callbackURL, callback } = await signIn(agent, '/auth/justlogin', alice, 'no');
  expect(new URL(callbackURL).searchParams.get('error')).toBe('access_denied');
  expect(callback.headers.location).toMatch(/^\/\?error=/);
  const home = await agent.get(callback.headers.location).expect(200);
  expect(home.text).toContain('did not complete');
});

it('renews the tokens: a new refresh token, and the old one is then refused by the sandbox', async () => {
  const agent = request.agent(appURL);
  await signIn(agent);
  const before = await sessionTokens();
  const refreshes = sandbox.tokenRequests.filter((line) => line.includes('refresh_token')).length;
  const renewed = await agent.post('/refresh').expect(302);
  expect(renewed.headers.location).toBe('/profile?renewed=1');
  const page = await agent.get('/profile?renewed=1').expect(200);
  expect(page.text).toContain('Your tokens were renewed.');
  const after = await sessionTokens();
  expect(after.refreshToken).not.toBe(before.refreshToken);
  expect(after.accessToken).not.toBe(before.accessToken);
  expect(sandbox.tokenRequests.filter((line) => line.includes('refresh_token'))).toHaveLength(refreshes + 1);

  const reuse = await fetch(`${sandbox.issuer}/connect/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: before.refreshToken,
      client_id: sandbox.clientID,
      client_secret: sandbox.clientSecret,
    }),
  });
  expect(reuse.status).toBe(400);
  expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
});

it('refuses a replayed callback URL', async () => {
  const agent = request.agent(appURL);
  const { callbackURL } = await signIn(agent);
  const replay = await agent.get(callbackURL.slice(appURL.length));
  expect(replay.headers.location).toMatch(/^\/\?error=/);
  const elsewhere = await request(appURL).get(callbackURL.slice(appURL.length));
  expect(elsewhere.headers.location).toMatch(/^\/\?error=/);
});

it('returns to the page the user started from, and only to a path of this app', async () => {
  const agent = request.agent(appURL);
  const { callback } = await signIn(agent, '/profile?tab=claims');
  expect(callback.headers.location).toBe('/profile?tab=claims');
  const other = request.agent(appURL);
  const { callback: outside } = await signIn(other, '/auth/justlogin?returnTo=//evil.example/x');
  expect(outside.headers.location).toBe('/profile');
});

it('signs out', async () => {
  const agent = request.agent(appURL);
  await signIn(agent);
  await agent.post('/logout').expect(302).expect('Location', '/');
  const profile = await agent.get('/profile');
  expect(profile.headers.location).toMatch(/^\/auth\/justlogin/);
});
