// The Koa example (example-app/koa/app.js: koa-passport, koa-session and keepTokensFreshKoa) on
// the JustLogin sandbox, driven over HTTP as a browser would.
import type { Server } from 'node:http';
import { signIn } from 'justlogin-sandbox';
import request from 'supertest';
import { useFrameworkExample } from './support/framework-example';
import { DEMO_USERS } from './support/sandbox';

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

const sessions = new Map<string, unknown>();
/** The app's session store (shared by every instance the tests start), a Map the tests can read. */
const store: SessionStore = {
  get: (key) => structuredClone(sessions.get(key)),
  set: (key, value) => void sessions.set(key, structuredClone(value)),
  destroy: (key) => void sessions.delete(key),
};

/** How far this process's clock (Date.now) runs ahead of the real one; the sandbox keeps the real one. */
let clockAhead = 0;
const realNow = Date.now.bind(Date);
beforeAll(() => {
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + clockAhead);
});

const example = useFrameworkExample({
  accessTokenTTL: ACCESS_TOKEN_TTL,
  timeoutMs: 30_000,
  async startInstance(justlogin, port) {
    const app = createApp({ justlogin, keys, store });
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(port, '127.0.0.1', () => resolve(listening));
    });
    return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((resolve) => server.close(() => resolve())) };
  },
});

describe('the Koa example', () => {
  let agent: request.Agent;
  /** alice's session right after the sign-in, before any renewal. */
  let signedIn: { key: string; session: unknown; cookie: string };

  it('signs alice in through koa-passport with the sandbox, and /profile shows her', async () => {
    agent = request.agent(example.url);
    const done = await signIn({ agent, start: '/auth/justlogin', ...alice });
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/profile');
    expect(await example.tokenRequests(0, 1)).toEqual(['token-request grant_type=authorization_code status=200']);
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
      const from = example.sandbox.tokenRequests.length;
      const answers = await Promise.all(Array.from({ length: PARALLEL }, () => agent.get('/profile')));
      expect(answers.map((answer) => answer.status)).toEqual(Array(PARALLEL).fill(200));
      expect(answers.map((answer) => answer.body as unknown)).toEqual(Array(PARALLEL).fill(answers[0].body));
      const { expiresAt } = answers[0].body as { expiresAt: number };
      expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + ACCESS_TOKEN_TTL - 5);
      expect(await example.tokenRequests(from, 1)).toEqual(['token-request grant_type=refresh_token status=200']);
    }
  });

  it('answers 401 and signs the user out when JustLogin refuses the refresh token (a used one)', async () => {
    // Another instance that has not renewed this token reads the session as it was at sign-in
    // (e.g. from a stale replica), so it spends the first refresh token again: the sandbox refuses it.
    const otherInstance = await example.startInstance();
    sessions.set(signedIn.key, structuredClone(signedIn.session));
    const from = example.sandbox.tokenRequests.length;
    const refused = await request(otherInstance).get('/profile').set('cookie', signedIn.cookie);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: 'reauthentication_required' });
    expect(await example.tokenRequests(from, 1)).toEqual(['token-request grant_type=refresh_token status=400']);
    const after = await agent.get('/profile');
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error: 'sign_in_required' });
    clockAhead = 0;
  });

  it('fails the sign-in with 401 when the user says No on the consent page', async () => {
    const stranger = request.agent(example.url);
    const done = await signIn({ agent: stranger, start: '/auth/justlogin', ...alice, consent: false });
    expect(done.status).toBe(401);
    expect((await stranger.get('/profile')).status).toBe(401);
  });

  it('while JustLogin is down, serves tokens that are due but valid; answers 503 once they expired, keeping the session', async () => {
    const user = request.agent(example.url);
    const from = example.sandbox.tokenRequests.length;
    expect((await signIn({ agent: user, start: '/auth/justlogin', ...alice })).status).toBe(302);
    // The sandbox reports a token request after answering it: wait for this sign-in's before stopping it.
    await example.tokenRequests(from, 1);
    await example.sandbox.stop();
    // Every token request of these tests: alice's sign-in, one renewal a round, the refused one, this sign-in.
    expect(example.sandbox.tokenRequests).toEqual([
      'token-request grant_type=authorization_code status=200',
      ...Array(2).fill('token-request grant_type=refresh_token status=200'),
      'token-request grant_type=refresh_token status=400',
      'token-request grant_type=authorization_code status=200',
    ]);
    clockAhead = STEP_MS; // due for renewal, still valid: the request goes on as if nothing were down
    const stored = structuredClone([...sessions.values()]);
    expect((await user.get('/profile')).status).toBe(200);
    expect([...sessions.values()]).toEqual(stored);
    clockAhead = ACCESS_TOKEN_TTL * 1000 + STEP_MS; // expired: the renewal cannot wait
    const down = await user.get('/profile');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ error: 'justlogin_unavailable' });
    expect([...sessions.values()]).toEqual(stored);
  });
});
