import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CookieJar, signIn as sandboxSignIn } from 'justlogin-sandbox';
import { createClient } from 'redis';
import { startExample, type ExampleInstance } from './support/example-instance';
import { startHoldingProxy, type HoldingProxy } from './support/holding-proxy';
import { REDIS_SERVER, requireProgram } from './support/programs';
import { startRedis, type RunningRedis } from './support/redis-server';
import { DEMO_USERS, startSandbox, type RunningSandbox } from './support/sandbox';
import { startAll } from './support/start-all';

// Several instances of the example app (example-app/main.js) behind an imaginary load balancer:
// one JustLogin sandbox that rotates refresh tokens, sessions in one Redis, and the refresh lock
// in the same Redis (or, for the outage test, in a Redis of its own).
const CALLBACK_URL = 'http://localhost/auth/justlogin/callback'; // the load balancer's URL
// 63 s: due for renewal (60 s skew) 3 s after sign-in, and renewed tokens are not due again at once.
const ACCESS_TOKEN_TTL = 63;
const LOCK_MS = 2_000;
const alice = DEMO_USERS.find((user) => user.username === 'alice')!;

let sandbox: RunningSandbox;
let redis: RunningRedis;
let lockRedis: RunningRedis;
let proxy: HoldingProxy;
let sessions: ReturnType<typeof createClient>;
let a: ExampleInstance;
let b: ExampleInstance;
const instances: ExampleInstance[] = [];

function instance(env: Record<string, string> = {}): Promise<ExampleInstance> {
  return startExample({
    JUSTLOGIN_CLIENT_ID: sandbox.clientID,
    JUSTLOGIN_CLIENT_SECRET: sandbox.clientSecret,
    JUSTLOGIN_CALLBACK_URL: CALLBACK_URL,
    JUSTLOGIN_BASE_URL: sandbox.origin,
    REDIS_URL: redis.url,
    SESSION_SECRET: 'instances-test-session-secret-4Lq9Zx2Wc7Vb',
    REFRESH_LOCK_MS: String(LOCK_MS),
    ...env,
  }).then((started) => {
    instances.push(started);
    return started;
  });
}

beforeAll(async () => {
  requireProgram(REDIS_SERVER);
  // All or nothing: what started is stopped when another part fails; afterAll stops the rest.
  [sandbox, redis, lockRedis] = await startAll([
    startSandbox({ JUSTLOGIN_SANDBOX_REDIRECT_URIS: CALLBACK_URL, SANDBOX_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL) }),
    startRedis(),
    startRedis(),
  ]);
  proxy = await startHoldingProxy(sandbox.origin);
  sessions = createClient({ url: redis.url });
  await sessions.connect();
  [a, b] = await startAll([instance(), instance()]);
});
afterAll(async () => {
  await Promise.all(instances.map((started) => started.stop('SIGKILL')));
  sessions?.destroy();
  await Promise.all([proxy?.stop(), sandbox?.stop(), redis?.stop(), lockRedis?.stop()]);
});

/** `name=value` of every cookie a response sets. */
function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

function get(app: ExampleInstance, path: string, cookie: string): Promise<Response> {
  return fetch(app.url + path, { headers: { cookie }, redirect: 'manual' });
}

/** Begins alice's sign-in on `start`, finishes it (the callback) on `finish`; returns the session cookie. */
async function signIn(start: ExampleInstance, finish: ExampleInstance): Promise<string> {
  const cookies = new CookieJar();
  const begin = `${start.url}/auth/justlogin`;
  const { pathname, search } = await sandboxSignIn({ start: begin, cookies, ...alice, followCallback: false });
  const callback = await get(finish, pathname + search, cookies.header(begin));
  expect(callback.status).toBe(302);
  expect(callback.headers.get('location')).toBe('/profile');
  return cookiesOf(callback);
}

interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

/** The JustLogin tokens in the Redis session of `cookie`. */
async function sessionTokens(cookie: string): Promise<StoredTokens> {
  const signed = decodeURIComponent(/example\.sid=([^;]+)/.exec(cookie)![1]);
  const sid = signed.slice('s:'.length, signed.lastIndexOf('.'));
  const session = JSON.parse((await sessions.get(`sess:${sid}`))!) as { passport: { user: { tokens: StoredTokens } } };
  return session.passport.user.tokens;
}

/** Signs alice in (begun on A, finished on B) and waits until keepTokensFresh would renew her tokens. */
async function signInNearExpiry(): Promise<{ cookie: string; tokens: StoredTokens }> {
  const cookie = await signIn(a, b);
  const tokens = await sessionTokens(cookie);
  await sleep(Math.max(0, (tokens.expiresAt - 60) * 1000 - Date.now() + 100));
  return { cookie, tokens };
}

const refreshes = () => sandbox.tokenRequests.filter((line) => line.includes('grant_type=refresh_token'));
const lockKeys = async () => [...(await redis.dump()).keys()].filter((key) => key.endsWith('}:lock'));

it('finishes on instance B a sign-in begun on instance A; the session then works on both', async () => {
  const cookie = await signIn(a, b);
  for (const app of [a, b]) {
    const profile = await get(app, '/profile', cookie);
    expect(profile.status).toBe(200);
    expect(await profile.text()).toContain('Hello, Alice Tan');
  }
});

it('renews once for 40 concurrent requests on two instances, with rotation on', async () => {
  const { cookie, tokens } = await signInNearExpiry();
  const before = refreshes().length;
  const requestsBefore = sandbox.tokenRequests.length;
  const pages = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      get(i % 2 ? b : a, '/profile', cookie).then(async (res) => [res.status, await res.text()]),
    ),
  );
  for (const [status, text] of pages) {
    expect(status).toBe(200);
    expect(text).toContain('Hello, Alice Tan');
  }
  await sandbox.waitForTokenRequests(requestsBefore + 1);
  await sleep(200); // time for a second refresh to show up, if there were one
  expect(refreshes().slice(before)).toEqual(['token-request grant_type=refresh_token status=200']);

  const renewed = await sessionTokens(cookie);
  expect(renewed.refreshToken).not.toBe(tokens.refreshToken);
  expect(renewed.expiresAt).toBeGreaterThan(Date.now() / 1000 + 60);
  for (const app of [a, b]) expect((await get(app, '/profile', cookie)).status).toBe(200);
  expect(refreshes()).toHaveLength(before + 1);
});

it('takes over when the instance holding the lock dies mid-refresh, and leaves nothing locked', async () => {
  const doomed = await instance({ JUSTLOGIN_BASE_URL: proxy.origin });
  const { cookie } = await signInNearExpiry();
  const before = refreshes().length;

  const dying = get(doomed, '/profile', cookie).catch(() => 'killed');
  await proxy.held; // its refresh request is on the way to JustLogin, and it holds the lock
  expect(await lockKeys()).toHaveLength(1);
  await doomed.stop('SIGKILL');
  expect(await dying).toBe('killed');

  const started = Date.now();
  const profile = await get(b, '/profile', cookie);
  expect(profile.status).toBe(200);
  expect(await profile.text()).toContain('Hello, Alice Tan');
  const waited = Date.now() - started; // until the dead instance's lock expired
  expect(waited).toBeGreaterThanOrEqual(LOCK_MS / 2);
  expect(waited).toBeLessThan(LOCK_MS + 1_000);
  expect(refreshes().slice(before)).toEqual(['token-request grant_type=refresh_token status=200']);
  expect(await lockKeys()).toEqual([]);
});

it('when Redis stops while another instance renews, spends nothing and serves the still-valid tokens, with one warning', async () => {
  // Sessions stay in the shared Redis; this instance keeps its refresh lock in a Redis that stops.
  const lonely = await instance({ REFRESH_REDIS_URL: lockRedis.url });
  const { cookie, tokens } = await signInNearExpiry();
  const before = refreshes().length;

  // Another instance is renewing these tokens: the requests wait for its result...
  const lockKey = `passport-justlogin:refresh:{${createHash('sha256').update(tokens.refreshToken).digest('hex')}}:lock`;
  const lock = createClient({ url: lockRedis.url });
  await lock.connect();
  await lock.set(lockKey, 'another-instance', { expiration: { type: 'PX', value: 60_000 } });
  lock.destroy();
  const pages = Array.from({ length: 10 }, () => get(lonely, '/profile', cookie));
  await sleep(300);
  expect(refreshes()).toHaveLength(before);

  // ...when Redis stops. Renewing here could spend the refresh token a second time: the access
  // token, valid for another minute, serves the requests, and the session keeps its tokens.
  await lockRedis.stop();
  for (const res of await Promise.all(pages)) expect(res.status).toBe(200);
  expect(refreshes()).toHaveLength(before);
  expect(await sessionTokens(cookie)).toEqual(tokens);
  const warnings = lonely.output.filter((line) => line.includes('Redis is unavailable'));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/coordinated within this process only/);
  expect(lonely.output.join('\n')).not.toContain(tokens.refreshToken);
});
