// The NestJS example (example-app/nest, an ESM app run as its own process: JustLoginModule.forRootAsync,
// JustLoginAuthGuard, SignedInGuard, JustLoginApi injected per request, JustLoginExceptionFilter, JustLoginSignOut,
// on express-session) signing a demo user in against the JustLogin sandbox, over HTTP as a browser would, and
// calling JustLogin's API (the sandbox's) with the user's tokens, renewed when they are due.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CookieJar, signIn } from 'justlogin-sandbox';
import request from 'supertest';

import { startExampleProcess, type ExampleProcess } from './support/example-process';
import { freePort } from './support/free-port';
import { DEMO_USERS, startSandbox, type RunningSandbox } from './support/sandbox';
import { signInRecordingCallback } from './support/sandbox-sign-in';

const ROOT = join(__dirname, '..');
const NEST_MAIN = join(ROOT, 'example-app', 'nest', 'dist', 'main.js');
/** Differs from the sandbox's default (3600), so an expiry of this length can only come from the token response. */
const ACCESS_TOKEN_TTL = 600;
const [alice] = DEMO_USERS;

interface ProfileBody {
  id: string;
  name?: string;
  username?: string;
  company?: string;
  expiresAt?: number;
}

interface PeoplePage {
  people: Array<{ name: string; department: string; designation: string }>;
  page: number;
  totalPages: number;
  totalCount: number;
  hasNext: boolean;
}

interface RunningExample {
  sandbox: RunningSandbox;
  app: ExampleProcess;
  callbackURL: string;
}

/** Starts a sandbox whose access tokens live `accessTokenTTL` seconds, and the Nest example signing in at it. */
async function startExample(accessTokenTTL: number): Promise<RunningExample> {
  if (!existsSync(NEST_MAIN)) {
    throw new Error(`${NEST_MAIN} is missing: run \`npm run build && npm run build:examples\` first`);
  }
  const port = await freePort();
  const callbackURL = `http://127.0.0.1:${port}/auth/justlogin/callback`;
  const sandbox = await startSandbox({
    JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL,
    SANDBOX_ACCESS_TOKEN_TTL: String(accessTokenTTL),
  });
  const app = await startExampleProcess(NEST_MAIN, {
    JUSTLOGIN_BASE_URL: sandbox.origin,
    JUSTLOGIN_CLIENT_ID: sandbox.clientID,
    JUSTLOGIN_CLIENT_SECRET: sandbox.clientSecret,
    JUSTLOGIN_CALLBACK_URL: callbackURL,
    HOST: '127.0.0.1',
    PORT: String(port),
    SESSION_SECRET: 'nest-test-session-secret',
  }).catch(async (error: unknown) => {
    await sandbox.stop();
    throw error;
  });
  return { sandbox, app, callbackURL };
}

/** An agent whose session holds alice, signed in through the example at `example`. */
async function signedInAgent(example: RunningExample): Promise<request.Agent> {
  const agent = request.agent(example.app.url);
  const done = await signIn({ agent, start: '/auth/justlogin', ...alice });
  expect(done.headers.location).toBe('/profile');
  return agent;
}

/** The refresh_token grants the sandbox has logged so far. */
function renewals(at: RunningSandbox): string[] {
  return at.tokenRequests.filter((line) => line.includes('grant_type=refresh_token'));
}

let sandbox: RunningSandbox;
let app: ExampleProcess;
let callbackURL: string;

beforeAll(async () => {
  ({ sandbox, app, callbackURL } = await startExample(ACCESS_TOKEN_TTL));
}, 60_000);

afterAll(async () => {
  await Promise.all([app?.stop(), sandbox?.stop()]);
});

describe('the NestJS example', () => {
  // One user's session, used by the tests below in order.
  let agent: request.Agent;

  it('signs alice in through JustLoginAuthGuard; /profile (SignedInGuard, @JustLoginUser()) shows her and the expiry from expires_in', async () => {
    agent = request.agent(app.url);
    const before = Math.floor(Date.now() / 1000);
    const { response: done, callback } = await signInRecordingCallback(agent, '/auth/justlogin', alice);
    const after = Math.ceil(Date.now() / 1000);
    expect(callback.path.startsWith(`${new URL(callbackURL).pathname}?`)).toBe(true);
    expect(callback.params.get('code')).toBeTruthy();
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/profile');
    await sandbox.waitForTokenRequests(1);
    expect(sandbox.tokenRequests).toEqual(['token-request grant_type=authorization_code status=200']);

    const profile = await agent.get('/profile');
    expect(profile.status).toBe(200);
    const body = profile.body as ProfileBody;
    expect(body).toEqual({
      id: alice.claims.sub,
      name: 'Alice Tan',
      username: 'alice',
      company: 'Acme Corporation',
      expiresAt: expect.any(Number) as unknown,
    });
    expect(body.expiresAt).toBeGreaterThanOrEqual(before + ACCESS_TOKEN_TTL);
    expect(body.expiresAt).toBeLessThanOrEqual(after + ACCESS_TOKEN_TTL);
  });

  it("GET /people pages through alice's colleagues with JustLogin's API, without renewing tokens that are not due", async () => {
    const renewed = renewals(sandbox).length;
    const first = await agent.get('/people');
    expect(first.status).toBe(200);
    const { people, ...paging } = first.body as PeoplePage;
    // Acme Corporation has 128 active employees in the sandbox: 7 pages of 20.
    expect(paging).toEqual({ page: 1, totalPages: 7, totalCount: 128, hasNext: true });
    expect(people).toHaveLength(20);

    const everyone = [...people];
    for (let page = 2; page <= paging.totalPages; page += 1) {
      const next = await agent.get('/people').query({ page });
      expect(next.status).toBe(200);
      expect(next.body).toMatchObject({ page, hasNext: page < paging.totalPages });
      everyone.push(...(next.body as PeoplePage).people);
    }
    expect(everyone).toHaveLength(128);
    expect(new Set(everyone.map((person) => person.name)).size).toBe(128);
    for (const person of everyone) {
      expect(person).toEqual({
        name: expect.stringMatching(/\S/) as unknown,
        department: expect.stringMatching(/\S/) as unknown,
        designation: expect.stringMatching(/\S/) as unknown,
      });
    }
    expect(everyone).toContainEqual({ name: 'Alice Tan', department: 'Human Resources', designation: 'HR Manager' });
    expect(everyone.find((person) => person.name === 'Bob Lim')?.department).toBe('Engineering');
    // Globex's Carol Ng works elsewhere.
    expect(everyone.map((person) => person.name)).not.toContain('Carol Ng');
    expect(renewals(sandbox)).toHaveLength(renewed);
  });

  it('answers 400 on /people for a page that is not a positive integer', async () => {
    for (const page of ['0', '-1', 'two', '1.5', '100001']) {
      expect({ page, status: (await agent.get('/people').query({ page })).status }).toEqual({ page, status: 400 });
    }
  });

  it('sends the browser to failureRedirect when the user says No on the callback, and stays signed out', async () => {
    const stranger = request.agent(app.url);
    const { response: done, callback } = await signInRecordingCallback(stranger, '/auth/justlogin', alice, false);
    expect(callback.params.get('error')).toBe('access_denied');
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/?sign-in=failed');
    const profile = await stranger.get('/profile');
    expect(profile.status).toBe(302);
    expect(profile.headers.location).toBe('/auth/justlogin');
  });

  it('sends a visitor to the sign-in from /profile (signInRedirect), and answers 401 on /people (JustLoginExceptionFilter)', async () => {
    const profile = await request(app.url).get('/profile');
    expect(profile.status).toBe(302);
    expect(profile.headers.location).toBe('/auth/justlogin');
    const people = await request(app.url).get('/people');
    expect(people.status).toBe(401);
    expect(people.body).toEqual({ statusCode: 401, message: 'Sign in with JustLogin again', error: 'Unauthorized' });
    // The controller's JustLoginApi is only built when used: the guard answers first.
    const person = await request(app.url).get(`/people/${alice.claims.UserGUID}`);
    expect(person.status).toBe(302);
    expect(person.headers.location).toBe('/auth/justlogin');
  });

  it('answers 502 when JustLogin refuses the call, without its text', async () => {
    const unknown = await agent.get(`/people/${'0'.repeat(32)}`);
    expect(unknown.status).toBe(502);
    expect(unknown.body).toEqual({
      statusCode: 502,
      message: 'JustLogin sent an answer that cannot be used',
      error: 'Bad Gateway',
    });
  });

  it('answers 503 on /people and on a sign-in callback while JustLogin is down, and keeps the user signed in with the same tokens', async () => {
    const before = (await agent.get('/profile')).body as ProfileBody;
    const cookies = new CookieJar();
    const start = `${app.url}/auth/justlogin`;
    const pending = await signIn({ start, cookies, ...DEMO_USERS[1], followCallback: false });
    await sandbox.stop();

    const callback = await request(app.url)
      .get(pending.pathname + pending.search)
      .set('cookie', cookies.header(start));
    expect(callback.status).toBe(503);

    const people = await agent.get('/people');
    expect(people.status).toBe(503);
    expect(people.body).toEqual({
      statusCode: 503,
      message: 'JustLogin is not answering; try again shortly',
      error: 'Service Unavailable',
    });
    const after = await agent.get('/profile');
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before);
  });

  it("signs out on POST /auth/sign-out: 303 to JustLogin's end-session endpoint, and the session no longer holds alice", async () => {
    const signedOut = await agent.post('/auth/sign-out');
    expect(signedOut.status).toBe(303);
    const location = new URL(signedOut.headers.location);
    expect(location.origin + location.pathname).toBe(`${sandbox.issuer}/connect/endsession`);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(new URL('/auth/signed-out', app.url).href);
    const profile = await agent.get('/profile');
    expect(profile.status).toBe(302);
    expect(profile.headers.location).toBe('/auth/justlogin');
  });
});

describe("the NestJS example when alice's access token has expired", () => {
  // A sandbox whose access tokens live 1 s: every API call finds them expired (or due) and renews first.
  let example: RunningExample;
  let agent: request.Agent;

  beforeAll(async () => {
    example = await startExample(1);
    agent = await signedInAgent(example);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([example?.app.stop(), example?.sandbox.stop()]);
  });

  /** The session's access token expiry, as /profile shows it. */
  async function sessionExpiresAt(): Promise<number> {
    const profile = await agent.get('/profile');
    expect(profile.status).toBe(200);
    return (profile.body as ProfileBody).expiresAt ?? 0;
  }

  // Renewing a spent refresh token again would be answered from the refresher's memory, without a request: a new
  // request at the sandbox each time shows that the session held the rotated refresh token.
  it('GET /people renews them through the injected JustLoginApi and saves them in the session', async () => {
    const signedIn = await sessionExpiresAt();
    await example.sandbox.waitForTokenRequests(2);
    expect(renewals(example.sandbox)).toEqual(['token-request grant_type=refresh_token status=200']);
    await untilPast(signedIn);

    const people = await agent.get('/people');
    expect(people.status).toBe(200);
    expect((people.body as PeoplePage).people).toHaveLength(20);
    await example.sandbox.waitForTokenRequests(3);
    const renewed = await sessionExpiresAt();
    expect(renewed).toBeGreaterThan(signedIn);
    await example.sandbox.waitForTokenRequests(4);
    expect(renewals(example.sandbox)).toEqual(Array(3).fill('token-request grant_type=refresh_token status=200'));
  });

  it('GET /profile renews them through SignedInGuard and saves them in the session, each time with the rotated refresh token', async () => {
    const before = renewals(example.sandbox).length;
    const first = await sessionExpiresAt();
    const second = await sessionExpiresAt();
    await example.sandbox.waitForTokenRequests(before + 3);
    expect(renewals(example.sandbox).slice(before)).toEqual(
      Array(2).fill('token-request grant_type=refresh_token status=200'),
    );
    expect(second).toBeGreaterThanOrEqual(first);
  });

  it('GET /people/:guid behind SignedInGuard: the injected JustLoginApi is built from the tokens the guard renewed', async () => {
    const before = renewals(example.sandbox).length;
    const person = await agent.get(`/people/${alice.claims.UserGUID}`);
    expect(person.status).toBe(200);
    expect(person.body).toEqual({ name: 'Alice Tan' });
    // The guard renews, then the client renews what the guard saved (due again: they live 1 s). A client built
    // before the guard ran would hold the spent refresh token, which the refresher's memory answers without a request.
    await example.sandbox.waitForTokenRequests(before + 3);
    expect(renewals(example.sandbox).slice(before)).toEqual(
      Array(2).fill('token-request grant_type=refresh_token status=200'),
    );
  });
});

/** Resolves once the clock has passed `expiresAt` (epoch seconds), so that a token with that expiry is expired. */
async function untilPast(expiresAt: number): Promise<void> {
  const wait = expiresAt * 1000 + 50 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
