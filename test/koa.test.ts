// The Koa example (example-app/koa/app.js: koa-passport, koa-session and keepTokensFreshKoa) on
// the JustLogin sandbox, driven over HTTP as a browser would.
import type { Server } from 'node:http';
import request from 'supertest';
import { completeSandboxLogin } from './support/sandbox-login';
import { DEMO_USERS, startSandbox, type RunningSandbox } from './support/sandbox';
import { freePort } from './support/free-port';

interface SessionStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  destroy(key: string): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createApp } = require('../example-app/koa/app') as {
  createApp: (config: object) => { listen(port: number, host: string, ready: () => void): Server };
};

/** Tokens last 90 s; the clock moves 40 s at a time, leaving 50 s: inside the renewal's 60 s skew. */
const ACCESS_TOKEN_TTL = 90;
const STEP_MS = 40_000;
const PARALLEL = 10;
const [alice] = DEMO_USERS;
const keys = ['koa-test-session-key'];

let sandbox: RunningSandbox;
let appURL: string;
let callbackURL: string;
const servers: Server[] = [];
const sessions = new Map<string, unknown>();
/** The app's session store (shared by every instance the tests start), a Map the tests can read. */
const store: SessionStore = {
  get: (key) => structuredClone(sessions.get(key)),
  set: (key, value) => void sessions.set(key, structuredClone(value)),
  destroy: (key) => void sessions.delete(key),
};

/** Starts an instance of the example on `port` (default: a free one) and returns its URL. */
async function startApp(port?: number): Promise<string> {
  const app = createApp({
    justlogin: { clientID: sandbox.clientID, clientSecret: sandbox.clientSecret, callbackURL, baseURL: sandbox.origin },
    keys,
    store,
  });
  const listenOn = port ?? (await freePort());
  servers.push(
    await new Promise<Server>((resolve) => {
      const server = app.listen(listenOn, '127.0.0.1', () => resolve(server));
    }),
  );
  return `http://127.0.0.1:${listenOn}`;
}

/** How far this process's clock (Date.now) runs ahead of the real one; the sandbox keeps the real one. */
let clockAhead = 0;
const realNow = Date.now.bind(Date);

beforeAll(async () => {
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + clockAhead);
  const port = await freePort();
  callbackURL = `http://127.0.0.1:${port}/auth/justlogin/callback`;
  sandbox = await startSandbox({
    JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL,
    SANDBOX_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL),
  });
  appURL = await startApp(port);
}, 30_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await sandbox?.stop();
});

/** Signs alice in with `agent`: /auth/justlogin, the sandbox's pages, then the callback. */
async function signIn(agent: request.Agent, consent: 'yes' | 'no' = 'yes') {
  const start = await agent.get('/auth/justlogin').redirects(0);
  expect(start.status).toBe(302);
  expect(start.headers.location).toMatch(`${sandbox.issuer}/connect/authorize?`);
  const callback = new URL(await completeSandboxLogin(start.headers.location, alice, consent));
  expect(callback.origin + callback.pathname).toBe(callbackURL);
  return agent.get(callback.pathname + callback.search).redirects(0);
}

/** The token requests the sandbox logged from the `from`th on, once `count` of them have arrived. */
async function tokenRequests(from: number, count: number): Promise<string[]> {
  const all = await sandbox.waitForTokenRequests(from + count);
  return all.slice(from);
}

describe('the Koa example', () => {
  let agent: request.Agent;
  /** alice's session right after the sign-in, before any renewal. */
  let signedIn: { key: string; session: unknown; cookie: string };

  it('signs alice in through koa-passport with the sandbox, and /profile shows her', async () => {
    agent = request.agent(appURL);
    const done = await signIn(agent);
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/profile');
    expect(await tokenRequests(0, 1)).toEqual(['token-request grant_type=authorization_code status=200']);
    const withUser = [...sessions].filter(([, session]) => (session as { passport?: object }).passport);
    expect(withUser).toHaveLength(1);
    const cookie = ([] as string[])
      .concat(done.headers['set-cookie'] ?? [])
      .map((setCookie) => setCookie.split(';')[0])
      .join('; ');
    expect(cookie).toMatch(/^example\.sid=\S+; example\.sid\.sig=\S+$/);
    signedIn = { key: withUser[0][0], session: structuredClone(withUser[0][1]), cookie };

    const profile = await agent.get('/profile');
    expect(profile.status).toBe(200);
    expect(profile.body).toEqual({
      id: alice.claims.sub,
      name: 'Alice Tan',
      expiresAt: (signedIn.session as { passport: { user: { tokens: { expiresAt: number } } } }).passport.user.tokens
        .expiresAt,
    });
  });

  it(`renews once for ${PARALLEL} parallel requests with due tokens, twice in a row (the rotated token was stored)`, async () => {
    for (let round = 0; round < 2; round += 1) {
      clockAhead += STEP_MS;
      const from = sandbox.tokenRequests.length;
      const answers = await Promise.all(Array.from({ length: PARALLEL }, () => agent.get('/profile')));
      expect(answers.map((answer) => answer.status)).toEqual(Array(PARALLEL).fill(200));
      expect(answers.map((answer) => answer.body as unknown)).toEqual(Array(PARALLEL).fill(answers[0].body));
      const { expiresAt } = answers[0].body as { expiresAt: number };
      expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + ACCESS_TOKEN_TTL - 5);
      expect(await tokenRequests(from, 1)).toEqual(['token-request grant_type=refresh_token status=200']);
    }
  });

  it('answers 401 and signs the user out when JustLogin refuses the refresh token (a used one)', async () => {
    // Another instance that has not renewed this token reads the session as it was at sign-in
    // (e.g. from a stale replica), so it spends the first refresh token again: the sandbox refuses it.
    const otherInstance = await startApp();
    sessions.set(signedIn.key, structuredClone(signedIn.session));
    const from = sandbox.tokenRequests.length;
    const refused = await request(otherInstance).get('/profile').set('cookie', signedIn.cookie);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: 'reauthentication_required' });
    expect(await tokenRequests(from, 1)).toEqual(['token-request grant_type=refresh_token status=400']);
    const after = await agent.get('/profile');
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error: 'sign_in_required' });
    clockAhead = 0;
  });

  it('fails the sign-in with 401 when the user says No on the consent page', async () => {
    const stranger = request.agent(appURL);
    const done = await signIn(stranger, 'no');
    expect(done.status).toBe(401);
    expect((await stranger.get('/profile')).status).toBe(401);
  });

  it('answers 503 while JustLogin is down, and keeps the session as it was', async () => {
    const user = request.agent(appURL);
    expect((await signIn(user)).status).toBe(302);
    await sandbox.stop();
    // Every token request of these tests: alice's sign-in, one renewal a round, the refused one, this sign-in.
    expect(sandbox.tokenRequests).toEqual([
      'token-request grant_type=authorization_code status=200',
      ...Array(2).fill('token-request grant_type=refresh_token status=200'),
      'token-request grant_type=refresh_token status=400',
      'token-request grant_type=authorization_code status=200',
    ]);
    clockAhead = STEP_MS;
    const stored = structuredClone([...sessions.values()]);
    const down = await user.get('/profile');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ error: 'justlogin_unavailable' });
    expect([...sessions.values()]).toEqual(stored);
  });
});
