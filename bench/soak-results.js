'use strict';
// Turns a soak's records into its numbers and checks what must hold, with and without faults:
// nobody signed out and no invalid_grant; at the sandbox, no refresh token presented twice, none
// refused, and as many renewals as rotations the users saw (one request per rotation); every user
// renewed at least MIN_RENEWALS_PER_USER times; every answer 200 but the retryable 503s the package
// promises (a renewal that could not be done once the access token had expired, with JustLogin or
// Redis unavailable or slow; a call to JustLogin's API that failed), so that a request whose access
// token was still valid was never held up by an outage; with faults, at most one warning per
// instance per Redis outage, coordination again after the last fault, and the renewal an instance
// died in done once by another.

const MIN_RENEWALS_PER_USER = 2;
const REFRESH_LINE = /^token-request grant_type=refresh_token status=(\d+) rt=(\S+)$/;

/** A retryable 503 the package promises: the access token had expired by the answer, or JustLogin's API failed. */
const promised = (failure) => failure.status === 503 && (failure.expired || failure.path === '/api/profile');

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function sum(tables) {
  const total = {};
  for (const table of tables) for (const [key, n] of Object.entries(table)) total[key] = (total[key] ?? 0) + n;
  return total;
}

/**
 * @param {object} run
 * @param {import('./soak-load').Record} run.record     what the load saw
 * @param {string[]} run.sandboxLines                    every line the sandbox printed (every start)
 * @param {object[]} run.appStats                        each instance's /soak/stats, the killed one's before it died
 * @param {{ name: string, start: number, end: number }[]} run.windows  the faults, when they were on
 * @param {{ before: number, after: number }[]} run.heaps  each instance's heap after GC at the start and end of the load (bytes)
 * @param {object} run.settings                          users, instances, minutes, faults, …
 * @param {object} [run.checks]                          with faults: `resumed` (per instance), `killed` ({ rt })
 * @param {number} [run.graceBytes]                      grace-window memory per remembered renewal
 */
function tally({ record, sandboxLines, appStats, windows, heaps, settings, checks = {}, graceBytes }) {
  const refreshes = sandboxLines.map((line) => REFRESH_LINE.exec(line)).filter(Boolean);
  const presented = new Map();
  for (const [, , rt] of refreshes) presented.set(rt, (presented.get(rt) ?? 0) + 1);
  const perUser = record.refreshTokens.map((seen) => Math.max(0, seen.length - 1));
  const rotations = perUser.reduce((total, n) => total + n, 0);
  const reauthenticate = sum(appStats.map((stats) => stats.reauthenticate));
  const commands = sum(appStats.map((stats) => stats.redisCommands));
  const commandTotal = Object.values(commands).reduce((total, n) => total + n, 0);
  const added = appStats.flatMap((stats) => stats.addedLatencyMs).sort((a, b) => a - b);
  const latency = [...record.latencyMs].sort((a, b) => a - b);
  const unexpected = record.failures.filter((failure) => !promised(failure));
  const tokenChars = sum(appStats.map((stats) => stats.tokenChars));
  // What users saw while each fault was on: the requests that began then.
  const byFault = windows.map(({ name, start, end }) => {
    const during = [];
    let failed = 0;
    record.startedAt.forEach((at, i) => {
      if (at < start || at > end) return;
      during.push(record.latencyMs[i]);
      if (!record.ok[i]) failed += 1;
    });
    during.sort((a, b) => a - b);
    const ms = { p50: percentile(during, 50), p99: percentile(during, 99), max: during.at(-1) ?? 0 };
    return { name, seconds: (end - start) / 1000, requests: during.length, non200: failed, latencyMs: ms };
  });
  const growth = heaps.map(({ before, after }) => (after - before) / 2 ** 20);

  const result = {
    mode: `${settings.instances} instance${settings.instances === 1 ? '' : 's'}, Sentinel${settings.faults ? ', faults' : ''}`,
    users: record.refreshTokens.length,
    requests: record.requests,
    statuses: record.statuses,
    non200: record.requests - (record.statuses[200] ?? 0),
    unexpected: unexpected.length,
    unexpectedSample: unexpected.slice(0, 5),
    retriedAfterInstanceDied: record.retried.length,
    signedOut: record.statuses[401] ?? 0,
    renewals: refreshes.length,
    renewalsRefused: refreshes.filter(([, status]) => status !== '200').length,
    refreshTokensSpentTwice: [...presented.values()].filter((n) => n > 1).length,
    invalidGrant: reauthenticate.invalid_grant ?? 0,
    reauthenticate,
    rotations,
    renewalsPerUser: { min: Math.min(...perUser), max: Math.max(...perUser) },
    perRotation: rotations ? refreshes.length / rotations : 0,
    redisCommandsPerRenewal: refreshes.length ? commandTotal / refreshes.length : 0,
    redisCommandsByName: Object.fromEntries(
      Object.entries(commands)
        .sort(([, a], [, b]) => b - a)
        .map(([name, n]) => [name, refreshes.length ? n / refreshes.length : 0]),
    ),
    addedLatencyMs: {
      requests: added.length,
      p50: percentile(added, 50),
      p99: percentile(added, 99),
      max: added.at(-1) ?? 0,
    },
    requestLatencyMs: { p50: percentile(latency, 50), p99: percentile(latency, 99), max: latency.at(-1) ?? 0 },
    graceBytesPerRenewal: graceBytes,
    tokenChars: tokenChars.sets
      ? {
          access: Math.round(tokenChars.access / tokenChars.sets),
          refresh: Math.round(tokenChars.refresh / tokenChars.sets),
          id: Math.round(tokenChars.id / tokenChars.sets),
        }
      : undefined,
    heapGrowthMB: { max: Math.max(...growth), perInstance: growth.map((mb) => Number(mb.toFixed(2))) },
    warnings: appStats.map((stats) => stats.warnings),
    renewalOutcomes: sum(appStats.map((stats) => stats.renewals)),
    appErrors: sum(appStats.map((stats) => stats.errors)),
    windows,
    byFault,
    checks,
  };
  const outages = windows.filter((window) => window.name === 'redis' || window.name === 'failover').length;
  result.failures = [
    result.requests === 0 && 'no requests were made',
    result.signedOut > 0 && `${result.signedOut} answers said the user was signed out`,
    result.invalidGrant > 0 && `the app got invalid_grant ${result.invalidGrant} times`,
    result.refreshTokensSpentTwice > 0 && `${result.refreshTokensSpentTwice} refresh tokens were presented twice`,
    result.renewalsRefused > 0 && `the sandbox refused ${result.renewalsRefused} of ${result.renewals} renewals`,
    result.renewals !== result.rotations &&
      `the sandbox renewed ${result.renewals} times for ${result.rotations} rotations the users saw`,
    result.renewalsPerUser.min < MIN_RENEWALS_PER_USER &&
      `a user renewed only ${result.renewalsPerUser.min} times (at least ${MIN_RENEWALS_PER_USER} expected)`,
    result.unexpected > 0 &&
      `${result.unexpected} answers were neither 200 nor a retryable 503 for expired tokens or the API, e.g. ${JSON.stringify(result.unexpectedSample)}`,
    settings.faults &&
      result.warnings.some((n) => n > outages) &&
      `an instance warned more than once per Redis outage (${result.warnings.join(', ')} warnings, ${outages} outages)`,
    settings.faults &&
      checks.resumed?.some((resumed) => !resumed) &&
      'an instance did not coordinate through Redis again after the last fault',
    settings.faults &&
      checks.killed &&
      presented.get(checks.killed.rt) !== 1 &&
      `the renewal the killed instance held the lock for was sent ${presented.get(checks.killed.rt) ?? 0} times, not once`,
  ].filter(Boolean);
  result.passed = result.failures.length === 0;
  return result;
}

function markdown(rows) {
  const cells = rows.map((row) => row.map(String));
  const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  const line = (row) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [line(cells[0]), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

const fixed = (n, digits = 2) => (typeof n === 'number' ? n.toFixed(digits) : '—');

/** How the faults' table names them. */
const FAULT_NAMES = {
  api: "JustLogin's API answers 429, then 503",
  redis: 'Redis killed, started again 5 s later',
  sandbox: 'JustLogin (the sandbox) stopped, started again 5 s later',
  instance: 'an instance killed mid-renewal, replaced',
  failover: 'Sentinel fails the master over',
};

/** The results as Markdown: the run's table, the per-renewal figures, then one line per failed invariant. */
function table(results) {
  const runs = markdown([
    [
      'mode',
      'users',
      'requests',
      'non-200 (of them retryable 503s)',
      'renewals',
      'refresh tokens spent twice',
      'invalid_grant',
      'signed out',
      'renewals per user',
      'result',
    ],
    ...results.map((r) => [
      r.mode,
      r.users,
      r.requests,
      `${r.non200} (${r.non200 - r.unexpected})`,
      r.renewalsRefused ? `${r.renewals} (${r.renewalsRefused} refused)` : r.renewals,
      r.refreshTokensSpentTwice,
      r.invalidGrant,
      r.signedOut,
      `${r.renewalsPerUser.min}–${r.renewalsPerUser.max}`,
      r.passed ? 'pass' : 'FAIL',
    ]),
  ]);
  const figures = markdown([
    ['per renewal', ...results.map((r) => r.mode)],
    ['JustLogin requests per rotation', ...results.map((r) => fixed(r.perRotation))],
    ['Redis commands per renewal', ...results.map((r) => fixed(r.redisCommandsPerRenewal))],
    [
      '… by command',
      ...results.map((r) =>
        Object.entries(r.redisCommandsByName)
          .map(([name, n]) => `${name} ${fixed(n)}`)
          .join(', '),
      ),
    ],
    ['requests that waited for a renewal', ...results.map((r) => r.addedLatencyMs.requests)],
    [
      'added latency p50 / p99 / max, ms',
      ...results.map((r) => ['p50', 'p99', 'max'].map((p) => fixed(r.addedLatencyMs[p], 1)).join(' / ')),
    ],
    ['grace-window memory per remembered renewal, bytes', ...results.map((r) => fixed(r.graceBytesPerRenewal, 0))],
    ['heap growth per instance, MB (max)', ...results.map((r) => fixed(r.heapGrowthMB.max))],
  ]);
  const faults = results
    .filter((r) => r.byFault.length > 0)
    .map((r) =>
      markdown([
        ['while the fault was on', 'for, s', 'requests begun', 'non-200', 'request latency p50 / p99 / max, ms'],
        ...r.byFault.map((f) => [
          FAULT_NAMES[f.name] ?? f.name,
          fixed(f.seconds, 1),
          f.requests,
          f.non200,
          ['p50', 'p99', 'max'].map((p) => fixed(f.latencyMs[p], 0)).join(' / '),
        ]),
      ]),
    );
  const failures = results.flatMap((r) => r.failures.map((failure) => `${r.mode}: ${failure}`));
  return [runs, '', figures, '', ...faults.flatMap((t) => [t, '']), ...failures].join('\n');
}

module.exports = { tally, table, MIN_RENEWALS_PER_USER };
