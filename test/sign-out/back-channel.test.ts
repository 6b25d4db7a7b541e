// Back-channel logout across instances: two instances of the example app (example-app/main.js) behind
// an imaginary load balancer, sessions and their index in one real redis-server, the logout tokens'
// ids there too. The sandbox sends one logout token, to instance A; the user's sessions end on both
// instances; the same token replayed to either is refused.
import { CookieJar, signIn, startSandbox, type Sandbox } from 'justlogin-sandbox';
import { decodeJwt } from 'jose';
import { startExample, type ExampleInstance } from '../support/example-instance';
import { REDIS_SERVER, requireProgram } from '../support/programs';
import { startRedis, type RunningRedis } from '../support/redis-server';
import { DEMO_USERS } from '../support/sandbox';
import { followEndSession, LogoutRecorder } from '../support/sandbox-sign-out';
import { startAll } from '../support/start-all';

const LOAD_BALANCER = 'http://localhost';
const alice = DEMO_USERS.find((user) => user.username === 'alice')!;
const credentials = { companyId: alice.companyId, username: alice.username, password: alice.password };

let sandbox: Sandbox;
let redis: RunningRedis;
let recorder: LogoutRecorder;
let a: ExampleInstance;
let b: ExampleInstance;
const instances: ExampleInstance[] = [];

beforeAll(async () => {
  requireProgram(REDIS_SERVER);
  recorder = await LogoutRecorder.start();
  [sandbox, redis] = await startAll([
    startSandbox({
      clients: [
        {
          clientID: 'demo-client',
          clientSecret: 'demo-secret',
          redirectURIs: [`${LOAD_BALANCER}/auth/justlogin/callback`],
          postLogoutRedirectURIs: [`${LOAD_BALANCER}/auth/signed-out`],
          backchannelLogoutURI: recorder.url,
        },
      ],
    }),
    startRedis(),
  ]);
  const env = {
    JUSTLOGIN_CLIENT_ID: 'demo-client',
    JUSTLOGIN_CLIENT_SECRET: 'demo-secret',
    JUSTLOGIN_CALLBACK_URL: `${LOAD_BALANCER}/auth/justlogin/callback`,
    JUSTLOGIN_BASE_URL: sandbox.origin,
    REDIS_URL: redis.url,
    SESSION_SECRET: 'back-channel-test-session-secret-4Lq9Zx2Wc7Vb',
  };
  [a, b] = await startAll([startExample(env), startExample(env)]);
  instances.push(a, b);
  // The load balancer sends JustLogin's back-channel POST to instance A.
  recorder.forward = async (body, contentType) =>
    (
      await fetch(`${a.url}/auth/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': contentType ?? '' },
        body,
      })
    ).status;
}, 60_000);
afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
  await Promise.all([sandbox?.stop(), redis?.stop(), recorder?.stop()]);
});

/** `name=value` of every cookie a response sets. */
const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');

function get(app: ExampleInstance, path: string, cookie: string): Promise<Response> {
  return fetch(app.url + path, { headers: { cookie }, redirect: 'manual' });
}

/** alice signs in on `app` in the browser whose sandbox cookies `jar` keeps; resolves with her session cookie there. */
async function signInOn(app: ExampleInstance, jar: CookieJar): Promise<string> {
  const begin = `${app.url}/auth/justlogin`;
  const { pathname, search } = await signIn({ start: begin, cookies: jar, ...credentials, followCallback: false });
  const callback = await get(app, pathname + search, jar.header(begin));
  expect(callback.status).toBe(302);
  return cookiesOf(callback);
}

/** True while `cookie` is a signed-in session on `app`. */
async function signedIn(app: ExampleInstance, cookie: string): Promise<boolean> {
  const profile = await get(app, '/profile', cookie);
  await profile.body?.cancel();
  return profile.status === 200;
}

function backChannel(app: ExampleInstance, logoutToken: string): Promise<Response> {
  return fetch(`${app.url}/auth/backchannel-logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: logoutToken }),
  });
}

it('one logout token naming the user ends her sessions on both instances; replaying it is refused on either', async () => {
  const onA = await signInOn(a, new CookieJar()); // one device, through instance A
  const onB = await signInOn(b, new CookieJar()); // another, through instance B
  for (const [app, cookie] of [
    [a, onA],
    [b, onA],
    [b, onB],
  ] as const) {
    expect(await signedIn(app, cookie)).toBe(true);
  }

  const before = recorder.deliveries.length;
  const result = await sandbox.signOutEverywhere(credentials);
  expect(result.notified).toEqual([{ clientID: 'demo-client', status: 200 }]);
  expect(recorder.deliveries).toHaveLength(before + 1);
  const { logoutToken } = recorder.deliveries[before];
  expect(decodeJwt(logoutToken!)).toMatchObject({ sub: alice.claims.sub });

  for (const [app, cookie] of [
    [a, onA],
    [b, onA],
    [a, onB],
    [b, onB],
  ] as const) {
    expect(await signedIn(app, cookie)).toBe(false);
  }

  for (const app of [b, a]) {
    const replay = await backChannel(app, logoutToken!);
    expect(replay.status).toBe(400);
    expect(replay.headers.get('cache-control')).toBe('no-store');
    expect(await replay.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The logout token was refused (ELOGOUTREPLAY)',
    });
  }
});

it('signing out on instance A ends the same JustLogin session’s app session on instance B, through its sid', async () => {
  const jar = new CookieJar(); // one browser: one JustLogin session, signed in to the app through each instance
  const onA = await signInOn(a, jar);
  const onB = await signInOn(b, jar);
  expect(await signedIn(b, onB)).toBe(true);

  const signOut = await fetch(`${a.url}/logout`, { method: 'POST', headers: { cookie: onA }, redirect: 'manual' });
  expect(signOut.status).toBe(303);
  expect(await signedIn(a, onA)).toBe(false);
  expect(await signedIn(b, onB)).toBe(true); // until JustLogin says so

  const before = recorder.deliveries.length;
  const ended = await followEndSession(signOut.headers.get('location')!, jar);
  expect(ended.leftTo?.origin + ended.leftTo!.pathname).toBe(`${LOAD_BALANCER}/auth/signed-out`);
  expect(recorder.deliveries).toHaveLength(before + 1);
  expect(decodeJwt(recorder.deliveries[before].logoutToken!)).toHaveProperty('sid');
  expect(await signedIn(b, onB)).toBe(false);
});

it('answers 400 with a JSON error, never a stack or the token, to a request without a valid logout token', async () => {
  for (const body of [new URLSearchParams(), new URLSearchParams({ logout_token: 'not.a.token' })]) {
    const res = await fetch(`${b.url}/auth/backchannel-logout`, { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const answer = (await res.json()) as { error: string; error_description: string };
    expect(answer).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(/ELOGOUTFORMAT/) });
  }
  const notPosted = await fetch(`${b.url}/auth/backchannel-logout`);
  expect(notPosted.status).toBe(404);
});
