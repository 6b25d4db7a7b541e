'use strict';
// `npm run soak -- [seconds] [--json]` (default 30 s per mode): the built package
// under load on the sandbox, with rotating refresh tokens and a short access-token
// lifetime. 20 users sign in, then fire bursts of requests for `seconds`; once with
// one app process (sessions in memory), once with two app instances sharing sessions
// and renewals through one redis-server. Prints a table (or JSON) and exits non-zero
// when an invariant fails (see soak-results.js). Runs shorter than about 8 s cannot
// renew every user twice, so they fail that check.
const { spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const path = require('node:path');
const { signIn } = require('./soak-login');
const { soakUser } = require('./soak-load');
const { startProcess, stopAll, freePort } = require('./soak-processes');
const { tally, table } = require('./soak-results');

const USAGE = 'usage: npm run soak -- [seconds, 1 to 3600; default 30] [--json]';
const USERS = 20;
const SIGN_IN_CONCURRENCY = 4;
/** The sandbox's access-token lifetime and the app's renewal skew, in seconds: a renewal every 2–3 s. */
const ACCESS_TOKEN_TTL = 4;
const SKEW_SECONDS = 1;
const MAX_DELAY_MS = 400;
/** The sandbox sends users back here (a load balancer's URL); the soak calls the instance it chooses. */
const CALLBACK_URL = 'http://localhost/auth/justlogin/callback';
const { DEMO_USERS } = require('justlogin-sandbox');
const MODES = [
  { mode: 'one process', instances: 1, redis: false },
  { mode: 'two instances, Redis', instances: 2, redis: true },
];

function fail(message, code = 1) {
  console.error(`soak: ${message}`);
  process.exit(code);
}

function parseArgs(args) {
  const json = args.includes('--json');
  const rest = args.filter((arg) => arg !== '--json');
  const seconds = rest.length ? Number(rest[0]) : 30;
  if (rest.length > 1 || !Number.isInteger(seconds) || seconds < 1 || seconds > 3600) fail(USAGE, 2);
  return { seconds, json };
}

function checkPrerequisites() {
  const redis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (redis.error) {
    fail(
      'redis-server not found: install it with `apt-get install redis-server` (Debian/Ubuntu) or `brew install redis`',
    );
  }
  try {
    require.resolve('..');
  } catch {
    fail('the built package (dist/) is missing; run npm run build first');
  }
}

function startSandbox() {
  const args = ['--port', '0', '--log-token-requests', '--access-token-ttl', String(ACCESS_TOKEN_TTL)];
  args.push('--client', `demo-client:demo-secret:${CALLBACK_URL}`);
  return startProcess(
    'sandbox',
    process.execPath,
    [path.join(path.dirname(require.resolve('justlogin-sandbox/package.json')), 'cli.mjs'), ...args],
    {
      env: {},
      ready: /^JustLogin sandbox listening: issuer=(\S+)$/,
    },
  );
}

async function startRedis() {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const redis = await startProcess('redis-server', 'redis-server', args, { ready: /Ready to accept connections/ });
  return { ...redis, url: `redis://127.0.0.1:${port}` };
}

function startApp(env) {
  return startProcess('soak app', process.execPath, [path.join(__dirname, 'soak-app.js')], {
    env,
    ready: /^soak-app listening: (\S+)$/,
  });
}

/** Signs USERS users in, SIGN_IN_CONCURRENCY at a time, each begun on one instance and finished on the next. */
async function signInUsers(urls) {
  const cookies = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < USERS; i = next++) {
      cookies[i] = await signIn(urls[i % urls.length], urls[(i + 1) % urls.length], DEMO_USERS[i % DEMO_USERS.length]);
    }
  };
  await Promise.all(Array.from({ length: SIGN_IN_CONCURRENCY }, worker));
  return cookies;
}

async function getJSON(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.json();
}

async function runMode({ mode, instances, redis: withRedis }, seconds) {
  const started = [];
  try {
    const sandbox = await startSandbox();
    started.push(sandbox);
    const redis = withRedis ? await startRedis() : undefined;
    if (redis) started.push(redis);
    const env = {
      SOAK_SANDBOX_ORIGIN: new URL(sandbox.match[1]).origin,
      SOAK_CALLBACK_URL: CALLBACK_URL,
      SOAK_SESSION_SECRET: randomBytes(32).toString('hex'),
      SOAK_SKEW_SECONDS: String(SKEW_SECONDS),
      SOAK_MAX_DELAY_MS: String(MAX_DELAY_MS),
      ...(redis && { SOAK_REDIS_URL: redis.url }),
    };
    const apps = await Promise.all(Array.from({ length: instances }, () => startApp(env)));
    started.push(...apps);
    const urls = apps.map((app) => app.match[1]);

    const cookies = await signInUsers(urls);
    const until = Date.now() + seconds * 1000;
    const users = await Promise.all(cookies.map((cookie, index) => soakUser({ cookie, urls, until, index, seconds })));
    const appStats = await Promise.all(urls.map((url) => getJSON(`${url}/soak/stats`)));

    // Once the sandbox is gone its output has been read whole: every token request is counted.
    await Promise.all(started.map((child) => child.stop()));
    return tally({ mode, users, sandboxLines: sandbox.lines, appStats });
  } finally {
    await Promise.all(started.map((child) => child.stop()));
  }
}

async function main() {
  const { seconds, json } = parseArgs(process.argv.slice(2));
  checkPrerequisites();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => stopAll().then(() => fail(`stopped by ${signal}`, signal === 'SIGINT' ? 130 : 143)));
  }
  // Each mode: start-up and sign-ins, `seconds` of bursts, at most 15 s for the last requests.
  const limitMs = MODES.length * (seconds + 90) * 1000;
  setTimeout(() => stopAll().then(() => fail(`gave up after ${limitMs / 1000} s`)), limitMs).unref();

  const results = [];
  for (const mode of MODES) results.push(await runMode(mode, seconds));
  const passed = results.every((result) => result.passed);
  const settings = { seconds, users: USERS, accessTokenTTL: ACCESS_TOKEN_TTL, skewSeconds: SKEW_SECONDS };
  if (json) console.log(JSON.stringify({ ...settings, passed, results }, null, 2));
  else {
    console.log(
      `Soak: ${USERS} users, ${seconds} s per mode, access tokens live ${ACCESS_TOKEN_TTL} s, renewed ${SKEW_SECONDS} s before expiry.\n`,
    );
    console.log(table(results));
  }
  process.exitCode = passed ? 0 : 1;
}

main().catch((err) => stopAll().then(() => fail(err.message)));
