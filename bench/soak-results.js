'use strict';
// Turns one soak mode's records into its numbers and checks the invariants:
// every response 200; at the sandbox, no refresh token presented twice and every
// refresh answered 200, and as many renewals as the users saw new refresh tokens
// (exactly one renewal per rotation); no invalid_grant in the app; every user
// renewed at least MIN_RENEWALS_PER_USER times.

const MIN_RENEWALS_PER_USER = 2;
const REFRESH_LINE = /^token-request grant_type=refresh_token status=(\d+) rt=(\S+)$/;

/**
 * @param {object} run
 * @param {string} run.mode
 * @param {{ requests: number, statuses: Record<string, number>, refreshTokens: string[] }[]} run.users
 * @param {string[]} run.sandboxLines  every line the sandbox printed
 * @param {{ reauthenticate: Record<string, number>, errors: Record<string, number> }[]} run.appStats  one per instance
 */
function tally({ mode, users, sandboxLines, appStats }) {
  const statuses = {};
  for (const user of users) {
    for (const [status, n] of Object.entries(user.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  }
  const requests = users.reduce((sum, user) => sum + user.requests, 0);
  const refreshes = sandboxLines.map((line) => REFRESH_LINE.exec(line)).filter(Boolean);
  const presented = new Map();
  for (const [, , rt] of refreshes) presented.set(rt, (presented.get(rt) ?? 0) + 1);
  // A user's first refresh token came with the sign-in; each further one is a renewal it saw.
  const perUser = users.map((user) => Math.max(0, user.refreshTokens.length - 1));
  const invalidGrants = appStats.reduce((total, stats) => total + (stats.reauthenticate.invalid_grant ?? 0), 0);
  const appErrors = {};
  for (const stats of appStats) {
    for (const [code, n] of Object.entries(stats.errors)) appErrors[code] = (appErrors[code] ?? 0) + n;
  }

  const result = {
    mode,
    users: users.length,
    requests,
    non200: requests - (statuses[200] ?? 0),
    statuses,
    renewals: refreshes.length,
    renewalsRefused: refreshes.filter(([, status]) => status !== '200').length,
    refreshTokensSpentTwice: [...presented.values()].filter((n) => n > 1).length,
    invalidGrant: invalidGrants,
    renewalsSeen: perUser.reduce((total, n) => total + n, 0),
    renewalsPerUser: { min: Math.min(...perUser), max: Math.max(...perUser) },
    appErrors,
  };
  result.failures = [
    result.requests === 0 && 'no requests were made',
    result.non200 > 0 && `${result.non200} of ${requests} responses were not 200 (${JSON.stringify(statuses)})`,
    result.refreshTokensSpentTwice > 0 && `${result.refreshTokensSpentTwice} refresh tokens were presented twice`,
    result.renewalsRefused > 0 && `the sandbox refused ${result.renewalsRefused} of ${result.renewals} renewals`,
    result.renewals !== result.renewalsSeen &&
      `the sandbox renewed ${result.renewals} times, the users saw ${result.renewalsSeen} renewals`,
    result.invalidGrant > 0 && `the app got invalid_grant ${result.invalidGrant} times`,
    result.renewalsPerUser.min < MIN_RENEWALS_PER_USER &&
      `a user renewed only ${result.renewalsPerUser.min} times (at least ${MIN_RENEWALS_PER_USER} expected)`,
  ].filter(Boolean);
  result.passed = result.failures.length === 0;
  return result;
}

/** The results as a Markdown table, then one line per failed invariant. */
function table(results) {
  const rows = [
    [
      'mode',
      'users',
      'requests',
      'non-200',
      'renewals',
      'refresh tokens spent twice',
      'invalid_grant',
      'renewals per user',
      'result',
    ],
    ...results.map((r) => [
      r.mode,
      r.users,
      r.requests,
      r.non200,
      r.renewalsRefused ? `${r.renewals} (${r.renewalsRefused} refused)` : r.renewals,
      r.refreshTokensSpentTwice,
      r.invalidGrant,
      `${r.renewalsPerUser.min}–${r.renewalsPerUser.max}`,
      r.passed ? 'pass' : 'FAIL',
    ]),
  ].map((row) => row.map(String));
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  const failures = results.flatMap((r) => r.failures.map((failure) => `${r.mode}: ${failure}`));
  return [line(rows[0]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line), '', ...failures].join(
    '\n',
  );
}

module.exports = { tally, table, MIN_RENEWALS_PER_USER };
