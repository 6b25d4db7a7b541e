'use strict';
// `--faults`: what goes wrong during the soak, one thing at a time at fixed points of the load
// (fractions of its length), each bounded in time. Each fault resolves once what it broke is back;
// the soak reports what users saw while it was on, by its window { name, start, end }.
const { setTimeout: sleep } = require('node:timers/promises');

const DOWN_MS = 5_000;
const API_FAULT_MS = 2_000;
const DEATH_TIMEOUT_MS = 30_000;

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
    signal: AbortSignal.timeout(5_000),
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.json();
}

/** JustLogin's API answers 429 with Retry-After, then 503, for a few seconds. */
async function api({ sandbox }) {
  const switchAt = `${sandbox.origin()}/_sandbox/api-faults`;
  await post(switchAt, { status: 429, count: 1000, retryAfter: 1 });
  await sleep(API_FAULT_MS);
  await post(switchAt, { status: 503, count: 1000 });
  await sleep(API_FAULT_MS);
  await post(switchAt, { status: 503, count: 0 });
}

/** Redis itself goes down: master and replica killed, started again 5 s later with their data. */
async function redis({ redis: sentinel }) {
  const master = await sentinel.master();
  await sentinel.killData();
  await sleep(DOWN_MS);
  await sentinel.startData(master);
}

/** JustLogin goes down: the sandbox stopped (its data kept), started again 5 s later on the same port. */
async function sandbox({ sandbox: justlogin }) {
  await justlogin.stop();
  await sleep(DOWN_MS);
  await justlogin.start();
}

/**
 * One instance dies in the middle of a renewal: armed, it kills itself once it holds the lock of
 * its next renewal and before its token request goes out. Its last statistics are kept, the load
 * balancer stops sending to it, and a new instance takes its place.
 */
async function instance(context) {
  const victim = context.apps[0];
  const stats = await (await fetch(`${victim.url}/soak/stats`)).json();
  await post(`${victim.url}/soak/die-mid-renewal`);
  const died = await Promise.race([victim.exited.then(() => true), sleep(DEATH_TIMEOUT_MS).then(() => false)]);
  if (!died) throw new Error(`the armed instance did not renew within ${DEATH_TIMEOUT_MS / 1000} s`);
  context.router.markDown(victim.url);
  const [, rt] = victim.lines.map((line) => /^soak-app: dying mid-renewal rt=(\w+)$/.exec(line)).find(Boolean) ?? [];
  context.killed = { rt, stats };
  await context.replaceApp(0);
}

/** Sentinel fails the master over: it is killed, the sentinels promote the replica, it comes back as replica. */
async function failover({ redis: sentinel }) {
  await sentinel.failover();
}

const SCHEDULE = [
  { name: 'api', at: 0.12, run: api },
  { name: 'redis', at: 0.25, run: redis },
  { name: 'sandbox', at: 0.42, run: sandbox },
  { name: 'instance', at: 0.58, run: instance },
  { name: 'failover', at: 0.75, run: failover },
];

/**
 * Runs every fault of the schedule at its point of a load that began at `startedAt` (epoch ms) and
 * lasts `seconds`; resolves with their windows once the last is over.
 */
async function runFaults(context, startedAt, seconds) {
  const windows = [];
  for (const fault of SCHEDULE) {
    await sleep(Math.max(0, startedAt + fault.at * seconds * 1000 - Date.now()));
    const start = Date.now();
    await fault.run(context);
    windows.push({ name: fault.name, start, end: Date.now() });
    context.log(
      `fault ${fault.name}: ${((start - startedAt) / 1000).toFixed(1)}–${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
    );
  }
  return windows;
}

module.exports = { runFaults, SCHEDULE };
