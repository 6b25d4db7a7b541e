'use strict';
// Section 5: time to require each package in a fresh process (measured inside
// it, so Node's own boot is left out), interleaved, alternating who goes first.
const { execFileSync } = require('node:child_process');
const { compare } = require('./report');

const TIMEOUT_MS = 30_000;

function requireTime(specifier, cwd) {
  const code = `const t = process.hrtime.bigint(); require(${JSON.stringify(specifier)});
process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  return Number(execFileSync(process.execPath, ['-e', code], { cwd, encoding: 'utf8', timeout: TIMEOUT_MS }));
}

async function startUp({ root, plan }) {
  const times = { 'passport-justlogin': [], 'passport-oauth2': [] };
  const names = Object.keys(times);
  for (let i = 0; i < plan.processes; i++) {
    for (const name of i % 2 ? [...names].reverse() : names) times[name].push(requireTime(name, root));
  }
  return [
    compare(
      `Start-up: require() in a fresh process, ms (median of ${plan.processes} each; vs passport-oauth2)`,
      times['passport-justlogin'],
      times['passport-oauth2'],
      1.5,
      false,
    ),
  ];
}

module.exports = startUp;
