'use strict';
// `npm run soak -- --users N --instances K --minutes M [--faults] [--json] [--write-baseline]`:
// the built package under load on 127.0.0.1. The sandbox (rotating refresh tokens, access tokens
// that live a quarter of the run), a Redis master and replica watched by three redis-sentinel
// processes, and K app instances (bench/soak-app.js: sessions and renewals in that Redis, through
// node-redis's sentinel client or, on every other instance, ioredis in Sentinel mode). N users sign
// in through the apps (the first of each demo user on the sandbox's pages, the others with that
// browser, which goes straight back as at JustLogin), then each user's requests go to the instances
// round robin, in bursts when its tokens are due (bench/soak-load.js), for M minutes; `--faults`
// breaks things on the way (bench/soak-faults.js). Then every user asks once more. Prints a table
// (or JSON) and exits non-zero when an invariant fails (bench/soak-results.js). `--write-baseline`
// also writes bench/baseline-soak.json, what the quick benchmark's alarms compare with.
// SOAK_DIST=<dir> soaks another build than dist/; SOAK_DUMP=<file> writes what a failed run needs
// looking into.
const { spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { parseArgs } = require('node:util');
const { CookieJar, signIn } = require('./soak-login');
const { Record, Router, request, soakUser } = require('./soak-load');
const { runFaults } = require('./soak-faults');
const { startProcess, stopAll, freePort } = require('./soak-processes');
const { tally, table } = require('./soak-results');
const { startRedisSentinel } = require('../test/support/redis-sentinel');
const { REDIS_SENTINEL, REDIS_SERVER, requireProgram } = require('../test/support/programs');

const USAGE =
  'usage: npm run soak -- --users N (1–100000) --instances K (1–16) --minutes M (0.25–60) [--faults] [--json] [--write-baseline]';
const SIGN_IN_CONCURRENCY = 16;
const FINAL_CONCURRENCY = 64;
/** The package's defaults: a token request may take 10 s, the lock lives 20 s. */
const TIMEOUT_MS = 10_000;
const LOCK_MS = 20_000;
const MAX_DELAY_MS = 50;
/** The sandbox sends users back here (a load balancer's URL); the soak calls the instance it chooses. */
const CALLBACK_URL = 'http://localhost/auth/justlogin/callback';
const BASELINE = path.join(__dirname, 'baseline-soak.json');
const { DEMO_USERS } = require('justlogin-sandbox');

function fail(message, code = 1) {
  console.error(`soak: ${message}`);
  process.exit(code);
}

function parse(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        users: { type: 'string', default: '20' },
        instances: { type: 'string', default: '2' },
        minutes: { type: 'string', default: '0.5' },
        faults: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'write-baseline': { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch {
    fail(USAGE, 2);
  }
  const users = Number(values.users);
  const instances = Number(values.instances);
  const minutes = Number(values.minutes);
  const valid =
    Number.isInteger(users) &&
    users >= 1 &&
    users <= 100_000 &&
    Number.isInteger(instances) &&
    instances >= 1 &&
    instances <= 16 &&
    minutes >= 0.25 &&
    minutes <= 60;
  if (!valid) fail(USAGE, 2);
  const seconds = Math.round(minutes * 60);
  // Access tokens live a quarter of the run: every user renews at least three times; due a third before expiry.
  const accessTokenTTL = Math.min(3600, Math.max(10, Math.round(seconds / 4)));
  const skewMs = Math.max(5, Math.round(accessTokenTTL / 3)) * 1000;
  return {
    ...values,
    users,
    instances,
    minutes,
    seconds,
    accessTokenTTL,
    skewMs,
    writeBaseline: values['write-baseline'],
  };
}

function checkPrerequisites() {
  for (const program of [REDIS_SERVER, REDIS_SENTINEL]) {
    try {
      requireProgram(program);
    } catch (error) {
      fail(error.message);
    }
  }
  if (!fs.existsSync(path.join(process.env.SOAK_DIST ?? path.join(__dirname, '..', 'dist'), 'index.js'))) {
    fail('the built package (dist/) is missing; run npm run build first');
  }
}

/** The sandbox on a port it keeps across restarts, its data in `dataFile`; every line it printed, over every start. */
function sandboxProcess(settings, dataFile) {
  const lines = [];
  let port = 0;
  let running;
  const handle = {
    lines,
    origin: () => `http://127.0.0.1:${port}`,
    async start() {
      const args = ['--port', String(port), '--data-file', dataFile, '--log-token-requests', '--api-control'];
      args.push('--access-token-ttl', String(settings.accessTokenTTL));
      args.push('--client', `demo-client:demo-secret:${CALLBACK_URL}`);
      const cli = path.join(path.dirname(require.resolve('justlogin-sandbox/package.json')), 'cli.mjs');
      running = await startProcess('sandbox', process.execPath, [cli, ...args], {
        ready: /^JustLogin sandbox listening: issuer=(\S+)$/,
      });
      port = Number(new URL(running.match[1]).port);
    },
    /** Stops it (SIGTERM: it finishes the requests under way and writes its data file). */
    async stop() {
      await running.stop();
      lines.push(...running.lines);
      handle.times.push(...running.times);
      handle.errors.push(...running.errors);
      running = undefined;
    },
    /** Every stderr line, over every start. */
    errors: [],
    /** When each line of `lines` arrived. */
    times: [],
  };
  return handle;
}

function appProcess(env, index) {
  return startProcess(`soak app ${index}`, process.execPath, ['--expose-gc', path.join(__dirname, 'soak-app.js')], {
    env: { ...env, SOAK_COORDINATOR_CLIENT: index % 2 === 0 ? 'node-redis' : 'ioredis' },
    ready: /^soak-app listening: (\S+)$/,
  });
}

async function getJSON(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.json();
}

/** Runs `task(i)` for i < count, `concurrency` at a time. */
async function inParallel(count, concurrency, task) {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/**
 * Signs every user in, begun on one instance and finished on the next (the first of each demo user
 * on the pages), and calls `signedIn(user, cookie)` as soon as each is: its traffic starts then.
 * The sign-ins are spread over one renewal cycle (the access token's lifetime less the skew), so
 * that renewals come at a steady rate, users / cycle a second, rather than all at once: a herd
 * larger than JustLogin answers within the token request's timeout spends refresh tokens whose
 * answers never arrive, which no coordination can help. Resolves with the session cookies.
 */
async function signInUsers(settings, urls, signedIn) {
  const jars = DEMO_USERS.map(() => new CookieJar());
  const cookies = [];
  const began = Date.now();
  const cycleMs = settings.accessTokenTTL * 1000 - settings.skewMs;
  const one = async (i) => {
    await sleep(Math.max(0, began + (i / settings.users) * cycleMs - Date.now()));
    const demo = i % DEMO_USERS.length;
    cookies[i] = await signIn(urls[i % urls.length], urls[(i + 1) % urls.length], DEMO_USERS[demo], jars[demo]);
    await signedIn(i, cookies[i]);
  };
  for (let i = 0; i < Math.min(settings.users, DEMO_USERS.length); i += 1) await one(i);
  await inParallel(Math.max(0, settings.users - DEMO_USERS.length), SIGN_IN_CONCURRENCY, (i) =>
    one(i + DEMO_USERS.length),
  );
  return cookies;
}

function graceBytesPerRenewal(tokenChars) {
  if (!tokenChars) return undefined;
  const script = path.join(__dirname, 'soak-memory.js');
  const { access, refresh, id } = tokenChars;
  const run = spawnSync(process.execPath, ['--expose-gc', script, String(access), String(refresh), String(id)], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`soak-memory.js failed: ${run.stderr}`);
  return JSON.parse(run.stdout).bytesPerRenewal;
}

async function run(settings) {
  const log = (line) => settings.json || console.error(`soak: ${line}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-'));
  let redis;
  let sandbox;
  try {
    redis = await startRedisSentinel({ persist: true });
    sandbox = sandboxProcess(settings, path.join(dir, 'sandbox.json'));
    await sandbox.start();
    const env = {
      SOAK_SANDBOX_ORIGIN: sandbox.origin(),
      SOAK_CALLBACK_URL: CALLBACK_URL,
      SOAK_SESSION_SECRET: randomBytes(32).toString('hex'),
      SOAK_SKEW_MS: String(settings.skewMs),
      SOAK_MAX_DELAY_MS: String(MAX_DELAY_MS),
      SOAK_LOCK_MS: String(LOCK_MS),
      SOAK_TIMEOUT_MS: String(TIMEOUT_MS),
      SOAK_SENTINELS: JSON.stringify(redis.sentinels),
      SOAK_SENTINEL_NAME: redis.name,
    };
    const apps = await Promise.all(Array.from({ length: settings.instances }, (_, i) => appProcess(env, i)));
    const app = (handle) => Object.assign(handle, { url: handle.match[1] });
    apps.forEach(app);
    const router = new Router(apps.map((handle) => handle.url));
    const heaps = new Map();
    const heapOf = async (url) => (await getJSON(`${url}/soak/heap`)).heapUsed;

    for (const handle of apps) heaps.set(handle.url, { before: await heapOf(handle.url) });
    const record = new Record(settings.users, { traced: Boolean(process.env.SOAK_DUMP) });
    let until = Infinity;
    const loops = [];
    let began = Date.now();
    const cookies = await signInUsers(settings, router.urls, async (user, cookie) => {
      const body = await request({ router, record, user, cookie, path: '/api/me', position: user });
      const traffic = { router, record, user, cookie, expiresAt: body?.expiresAt ?? 0, skewMs: settings.skewMs };
      loops.push(soakUser({ ...traffic, until: () => until, maxRounds: settings.seconds * 2 + 1_000 }));
    });
    log(
      `${settings.users} users signed in on ${settings.instances} instances in ${((Date.now() - began) / 1000).toFixed(1)} s`,
    );

    const context = {
      apps,
      router,
      redis,
      sandbox,
      log,
      async replaceApp(index) {
        const old = apps[index];
        const next = app(await appProcess(env, index));
        heaps.set(next.url, { before: await heapOf(next.url) });
        heaps.delete(old.url);
        apps[index] = next;
        router.replace(old.url, next.url);
      },
    };
    began = Date.now();
    until = began + settings.seconds * 1000;
    const load = Promise.all(loops);
    let windows = [];
    const checks = {};
    if (settings.faults) {
      windows = await runFaults(context, began, settings.seconds);
      checks.afterFaults = await Promise.all(apps.map((handle) => getJSON(`${handle.url}/soak/stats`)));
    }
    await load;
    // Everyone once more, after the faults: nobody may be signed out.
    await inParallel(settings.users, FINAL_CONCURRENCY, (user) =>
      request({ router, record, user, cookie: cookies[user], path: '/api/me', position: user }),
    );
    log(`load and faults over after ${((Date.now() - began) / 1000).toFixed(1)} s`);

    const appStats = await Promise.all(apps.map((handle) => getJSON(`${handle.url}/soak/stats`)));
    for (const handle of apps) heaps.get(handle.url).after = await heapOf(handle.url);
    if (settings.faults) {
      checks.resumed = appStats.map(
        (stats, i) => (stats.redisCommands.SET ?? 0) > (checks.afterFaults[i].redisCommands.SET ?? 0),
      );
      delete checks.afterFaults;
      checks.killed = context.killed && { rt: context.killed.rt };
      if (context.killed) appStats.push(context.killed.stats);
    }
    // Once the sandbox is gone its output has been read whole: every token request is counted.
    await sandbox.stop();
    if (process.env.SOAK_DUMP) {
      // For finding out why a run failed: every answer that was not 200, the first users' answers, the
      // sandbox's token requests with when they came, what the apps and the sandbox printed.
      const lines = [...apps.flatMap((handle) => [...handle.lines, ...handle.errors]), ...sandbox.errors];
      fs.writeFileSync(
        process.env.SOAK_DUMP,
        JSON.stringify({
          began,
          windows,
          failures: record.failures,
          retried: record.retried,
          sandbox: sandbox.lines,
          sandboxTimes: sandbox.times,
          appLines: lines,
          refreshTokens: record.refreshTokens,
          trace: record.trace,
        }),
      );
    }
    const result = tally({
      record,
      sandboxLines: sandbox.lines,
      appStats,
      windows,
      heaps: [...heaps.values()],
      settings,
      checks,
    });
    result.graceBytesPerRenewal = graceBytesPerRenewal(result.tokenChars);
    return result;
  } finally {
    await stopAll();
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const settings = parse(process.argv.slice(2));
  checkPrerequisites();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => stopAll().then(() => fail(`stopped by ${signal}`, signal === 'SIGINT' ? 130 : 143)));
  }
  // Sign-ins (30 a second at the least), the load, the faults' last seconds and the final round.
  const limitMs = (settings.users / 30 + settings.seconds + 120) * 1000;
  setTimeout(() => stopAll().then(() => fail(`gave up after ${Math.round(limitMs / 1000)} s`)), limitMs).unref();

  const result = await run(settings);
  const { users, instances, minutes, faults, accessTokenTTL, skewMs } = settings;
  if (settings.writeBaseline) {
    const baseline = {
      settings: { users, instances, minutes },
      redisCommandsPerRenewal: Number(result.redisCommandsPerRenewal.toFixed(3)),
      p99AddedLatencyMs: result.addedLatencyMs.p99,
      machine: `${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`,
    };
    fs.writeFileSync(BASELINE, `${JSON.stringify(baseline, null, 2)}\n`);
  }
  if (settings.json) {
    console.log(JSON.stringify({ users, instances, minutes, faults, accessTokenTTL, skewMs, result }, null, 2));
  } else {
    console.log(
      `Soak: ${users} users on ${instances} instances for ${minutes} min${faults ? ' with faults' : ''}; access tokens live ${accessTokenTTL} s, renewed ${skewMs / 1000} s before expiry.\n`,
    );
    console.log(table([result]));
  }
  process.exitCode = result.passed ? 0 : 1;
}

main().catch((err) => stopAll().then(() => fail(err.stack ?? err.message)));
