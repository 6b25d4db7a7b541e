// The NestJS-on-Fastify example (example-app/nest-fastify: @nestjs/passport's AuthGuard with
// passportOnFastify, @fastify/secure-session, keepTokensFreshFastify as a hook), built and run as its
// own process on the built package, on the JustLogin sandbox, driven over HTTP as a browser would.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { startExampleProcess, type ExampleProcess } from './support/example-process';
import { completeSandboxLogin } from './support/sandbox-login';
import { DEMO_USERS, startSandbox, type RunningSandbox } from './support/sandbox';
import { freePort } from './support/free-port';

const MAIN = join(__dirname, '..', 'example-app', 'nest-fastify', 'dist', 'main.js');
/** Shorter than the renewal's 60 s skew: every request finds the tokens due and renews them. */
const ACCESS_TOKEN_TTL = 30;
const PARALLEL = 10;
const [alice] = DEMO_USERS;

let sandbox: RunningSandbox;
let appURL: string;
let callbackURL: string;
const sessionKey = randomBytes(32).toString('hex');
const apps: ExampleProcess[] = [];

/** Starts an instance of the example on `port` (default: a free one) and returns its URL. */
async function startApp(port?: number): Promise<string> {
  const app = await startExampleProcess(MAIN, {
    JUSTLOGIN_CLIENT_ID: sandbox.clientID,
    JUSTLOGIN_CLIENT_SECRET: sandbox.clientSecret,
    JUSTLOGIN_CALLBACK_URL: callbackURL,
    JUSTLOGIN_BASE_URL: sandbox.origin,
    SESSION_KEY: sessionKey,
    HOST: '127.0.0.1',
    PORT: String(port ?? (await freePort())),
  });
  apps.push(app);
  return app.url;
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build && npm run build:examples\` first`);
  const port = await freePort();
  callbackURL = `http://127.0.0.1:${port}/auth/justlogin/callback`;
  sandbox = await startSandbox({
    JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL,
    SANDBOX_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL),
  });
  appURL = await startApp(port);
}, 40_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
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

describe('the NestJS-on-Fastify example', () => {
  let agent: request.Agent;
  /** The session cookie right after the sign-in, before any renewal. */
  let signedInCookie: string;

  it('signs alice in through @nestjs/passport with the sandbox; validate() gets params; /profile shows her', async () => {
    agent = request.agent(appURL);
    const done = await signIn(agent);
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/profile');
    signedInCookie = ([] as string[]).concat(done.headers['set-cookie'] ?? []).join('; ');
    expect(signedInCookie).toMatch(/HttpOnly/);
    expect(await tokenRequests(0, 1)).toEqual(['token-request grant_type=authorization_code status=200']);

    const before = Math.floor(Date.now() / 1000);
    const profile = await agent.get('/profile');
    expect(profile.status).toBe(200);
    expect(profile.body).toEqual({
      id: alice.claims.sub,
      name: 'Alice Tan',
      username: 'alice',
      company: 'Acme Corporation',
      expiresAt: expect.any(Number),
    });
    // The token was due (30 s left, renewed within 60 s): /profile renewed it once.
    expect(await tokenRequests(1, 1)).toEqual(['token-request grant_type=refresh_token status=200']);
    expect((profile.body as { expiresAt: number }).expiresAt).toBeGreaterThanOrEqual(before + ACCESS_TOKEN_TTL);
  });

  it(`renews once for ${PARALLEL} parallel requests with due tokens, twice in a row (the rotated token was stored)`, async () => {
    for (let round = 0; round < 2; round += 1) {
      const from = sandbox.tokenRequests.length;
      const answers = await Promise.all(Array.from({ length: PARALLEL }, () => agent.get('/profile')));
      expect(answers.map((answer) => answer.status)).toEqual(Array(PARALLEL).fill(200));
      expect(new Set(answers.map((answer) => (answer.body as { expiresAt: number }).expiresAt)).size).toBe(1);
      expect(await tokenRequests(from, 1)).toEqual(['token-request grant_type=refresh_token status=200']);
    }
  });

  it('answers 401 and signs the user out when JustLogin refuses the refresh token (a used one, from an old cookie)', async () => {
    // Another instance with the same session key has not renewed this token, so it spends it again:
    // the sandbox refuses a rotated refresh token used twice.
    const otherInstance = await startApp();
    const from = sandbox.tokenRequests.length;
    const refused = await request(otherInstance).get('/profile').set('cookie', signedInCookie);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: 'reauthentication_required' });
    expect(await tokenRequests(from, 1)).toEqual(['token-request grant_type=refresh_token status=400']);
    const cleared = ([] as string[]).concat(refused.headers['set-cookie'] ?? []).join('; ');
    const after = await request(otherInstance).get('/profile').set('cookie', cleared.split(';')[0]);
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ statusCode: 401, message: 'Unauthorized' });
  });

  it('fails the sign-in with 401 when the user says No on the consent page', async () => {
    const stranger = request.agent(appURL);
    const done = await signIn(stranger, 'no');
    expect(done.status).toBe(401);
    expect((await stranger.get('/profile')).status).toBe(401);
  });

  it('refuses a callback whose state was already used (replayed callback URL and cookie)', async () => {
    const user = request.agent(appURL);
    const start = await user.get('/auth/justlogin').redirects(0);
    const pending = ([] as string[]).concat(start.headers['set-cookie'] ?? [])[0].split(';')[0];
    const callback = new URL(await completeSandboxLogin(start.headers.location, alice, 'yes'));
    const wrongState = `${callback.pathname}?code=${callback.searchParams.get('code')}&state=not-the-state`;
    const refused = await request(appURL).get(wrongState).set('cookie', pending);
    expect(refused.status).toBe(401);
    // The state was used up by the refused attempt: the cookie the refusal set no longer holds it.
    const afterRefusal = ([] as string[]).concat(refused.headers['set-cookie'] ?? [])[0]?.split(';')[0];
    expect(afterRefusal).toBeDefined();
    const replay = await request(appURL)
      .get(callback.pathname + callback.search)
      .set('cookie', afterRefusal);
    expect(replay.status).toBe(401);
  });

  it('answers 503 while JustLogin is down, and leaves the session as it was', async () => {
    await sandbox.stop();
    // Every token request of these tests, now that the sandbox has written them all out: one
    // sign-in, one renewal for the first /profile and one for each round, and the refused one.
    expect(sandbox.tokenRequests).toEqual([
      'token-request grant_type=authorization_code status=200',
      ...Array(3).fill('token-request grant_type=refresh_token status=200'),
      'token-request grant_type=refresh_token status=400',
    ]);
    const down = await agent.get('/profile');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({
      statusCode: 503,
      message: 'JustLogin is not answering',
      error: 'Service Unavailable',
    });
    expect(down.headers['set-cookie']).toBeUndefined();
  });
});
