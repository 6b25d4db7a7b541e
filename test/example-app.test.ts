import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import session from 'express-session';
import { SandboxSignInError, signIn as sandboxSignIn } from 'justlogin-sandbox';
import request from 'supertest';
import { ExampleBrowser, signInThroughSandbox } from './support/example-browser';
import { signInRecordingCallback, type Credentials } from './support/sandbox-sign-in';
import { DEMO_USERS, startSandbox, type RunningSandbox } from './support/sandbox';
import { freePort } from './support/free-port';

// The example app (example-app/app.js) on the JustLogin sandbox, driven over
// HTTP by a cookie-keeping client, as a user's browser would.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createApp } = require('../example-app/app') as { createApp: (config: object) => import('express').Express };

const alice = DEMO_USERS.find((user) => user.username === 'alice')!;
const bob = DEMO_USERS.find((user) => user.username === 'bob')!;
let port: number;
let sandbox: RunningSandbox;
let server: Server;
let appURL: string;
let store: session.MemoryStore;

beforeAll(async () => {
  port = await freePort();
  appURL = `http://localhost:${port}`;
  const callbackURL = `${appURL}/auth/justlogin/callback`;
  sandbox = await startSandbox({
    JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL,
    SANDBOX_POST_LOGOUT_REDIRECT_URIS: `${appURL}/auth/signed-out`,
  });
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
  user: Credentials = alice,
  consent = true,
) {
  const { response, callback } = await signInRecordingCallback(agent, path, user, consent);
  expect(callback.path.startsWith('/auth/justlogin/callback?')).toBe(true);
  return { back: callback, callback: response };
}

/** The JustLogin tokens kept in the app's session store for this agent's session. */
async function sessionTokens(): Promise<{
  refreshToken: string;
  accessToken: string;
  idToken?: string;
  expiresAt: number;
}> {
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

/** A time in seconds since 1970 as the pages show it: `<time datetime="ISO">3 May 2026 at 14:05</time>`. */
function shownTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  const readable = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short' }).format(date);
  return `<time datetime="${date.toISOString()}">${readable}</time>`;
}

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
  const { expiresAt } = await sessionTokens();
  const access = /<dt>Access until<\/dt><dd>(.*?) \(in (\d+) minutes\), renewed when due<\/dd>/.exec(profile.text);
  expect(access?.[1]).toBe(shownTime(expiresAt));
  expect(Number(access?.[2])).toBeGreaterThanOrEqual(59);
});

it('shows the claims only in a closed disclosure, never the nonce, the hashes of tokens or a token', async () => {
  const agent = request.agent(appURL);
  await signIn(agent);
  const profile = await agent.get('/profile').expect(200);
  const { accessToken, refreshToken, idToken } = await sessionTokens();
  expect(profile.text).toMatch(/<details id="claims">\s*<summary>What JustLogin told this app about you<\/summary>/);
  expect(profile.text).toContain('<th scope="row">CompanyGUID</th>');
  for (const hidden of ['nonce', 'at_hash', 'sid', accessToken, refreshToken, idToken!]) {
    expect(profile.text).not.toContain(hidden);
  }
});

it('shows the error on the sign-in page for a wrong password, and signs nobody in', async () => {
  const agent = request.agent(appURL);
  await expect(sandboxSignIn({ agent, start: '/auth/justlogin', ...alice, password: 'wrong' })).rejects.toThrow(
    SandboxSignInError,
  );
  expect((await agent.get('/profile')).headers.location).toMatch(/^\/auth\/justlogin/);
});

/** The failure reason the home page shows, if any. */
const reasonOn = (html: string) => /<p class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];

const DENIED = 'You chose No on JustLogin&#39;s consent page, so you are not signed in.';
const OTHER_HOST = 'A sign-in must start and end on the same host name';

it('returns to the home page with a message when the user says No on the consent page, once', async () => {
  const agent = request.agent(appURL);
  const { back, callback } = await signIn(agent, '/auth/justlogin', alice, false);
  expect(back.params.get('error')).toBe('access_denied');
  expect(callback.headers.location).toBe('/');
  const home = await agent.get('/').expect(200);
  expect(reasonOn(home.text)).toBe(DENIED);
  expect(reasonOn((await agent.get('/')).text)).toBeUndefined();
});

it('explains a sign-in started on 127.0.0.1 that returns on localhost, unlike a No at consent', async () => {
  const browser = new ExampleBrowser();
  const page = await signInThroughSandbox(browser, `http://127.0.0.1:${port}/auth/justlogin`, alice);
  expect(page.url.href).toBe(`${appURL}/`);
  const reason = reasonOn(page.html);
  expect(reason).toContain(OTHER_HOST);
  expect(reason).toContain('localhost, not 127.0.0.1');
  expect(reason).not.toBe(DENIED);
  expect(page.html).toContain('Sign in with JustLogin');
});

it('never shows text from the query string', async () => {
  for (const text of ['<script>alert(1)</script>', 'Your account is locked', DENIED]) {
    const home = await request(appURL).get('/').query({ error: text, reason: text, message: text }).expect(200);
    expect(reasonOn(home.text)).toBeUndefined();
    expect(home.text).not.toContain('alert(1)');
    expect(home.text).not.toContain('locked');
    expect(home.text).not.toContain('consent page');
  }
});

it('shows the times of the id_token as dates, not as seconds since 1970', async () => {
  const agent = request.agent(appURL);
  await signIn(agent);
  const profile = await agent.get('/profile').expect(200);
  const claims = /<details id="claims">([\s\S]*?)<\/details>/.exec(profile.text)?.[1] ?? '';
  for (const claim of ['exp', 'iat', 'auth_time']) {
    const seconds = /<time datetime="([^"]+)">/.exec(claims.split(`<th scope="row">${claim}</th>`)[1] ?? '')?.[1];
    expect(seconds).toBeDefined();
    expect(claims).toContain(`<th scope="row">${claim}</th><td>${shownTime(Date.parse(seconds!) / 1000)}</td>`);
  }
  expect(claims).not.toMatch(/\b\d{10}\b/);
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
  const { back } = await signIn(agent);
  const replay = await agent.get(back.path);
  expect(replay.headers.location).toBe('/');
  expect(reasonOn((await agent.get('/')).text)).toContain(OTHER_HOST);
  const other = request.agent(appURL);
  const elsewhere = await other.get(back.path);
  expect(elsewhere.headers.location).toBe('/');
  expect(reasonOn((await other.get('/')).text)).toContain(OTHER_HOST);
});

it('returns to the page the user started from, and only to a path of this app', async () => {
  const agent = request.agent(appURL);
  const { callback } = await signIn(agent, '/profile?tab=claims');
  expect(callback.headers.location).toBe('/profile?tab=claims');
  const other = request.agent(appURL);
  const { callback: outside } = await signIn(other, '/auth/justlogin?returnTo=//evil.example/x');
  expect(outside.headers.location).toBe('/profile');
});

it('signs out through the sign-out handler: the refresh token revoked, then JustLogin’s end_session_endpoint', async () => {
  const agent = request.agent(appURL);
  await signIn(agent);
  const { idToken, refreshToken } = await sessionTokens();
  expect(idToken).toBeDefined();
  const discovery = await fetch(`${sandbox.issuer}/.well-known/openid-configuration`);
  const { end_session_endpoint } = (await discovery.json()) as { end_session_endpoint?: string };
  expect(end_session_endpoint).toBeDefined();

  const signOut = await agent.post('/logout').expect(303);
  const location = new URL(signOut.headers.location);
  expect(location.origin + location.pathname).toBe(end_session_endpoint);
  expect(Object.fromEntries(location.searchParams)).toEqual({
    id_token_hint: idToken,
    client_id: sandbox.clientID,
    post_logout_redirect_uri: `${appURL}/auth/signed-out`,
    state: expect.any(String),
  });
  expect((await agent.get('/profile')).headers.location).toMatch(/^\/auth\/justlogin/);
  const refresh = await fetch(`${sandbox.issuer}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: sandbox.clientID,
      client_secret: sandbox.clientSecret,
    }),
  });
  expect(refresh.status).toBe(400);
  expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
});

it('lets another demo user sign in after Sign out', async () => {
  const browser = new ExampleBrowser();
  const first = await signInThroughSandbox(browser, `${appURL}/auth/justlogin`, alice);
  expect(first.html).toContain('Hello, Alice Tan');

  let signedOut = await browser.open(`${appURL}/logout`, {});
  // The sandbox may ask whether to sign out of JustLogin too.
  if (signedOut.url.origin === sandbox.origin && signedOut.html.includes('<form')) {
    signedOut = await browser.submit(signedOut, { logout: 'yes' });
  }
  expect(signedOut.url.href).toBe(`${appURL}/`);
  expect(signedOut.html).toContain('Sign in with JustLogin');

  const second = await signInThroughSandbox(browser, `${appURL}/auth/justlogin`, bob);
  expect(second.url.href).toBe(`${appURL}/profile`);
  expect(second.html).toContain('Hello, Bob Lim');
});
