'use strict';
// Section: the soak (bench/soak.js) with the settings of its baseline (bench/baseline-soak.json;
// 200 users on two instances for 30 s, no faults, when there is none yet), the same in the quick
// and the full run. Its Redis commands per renewal and the p99 latency a renewal adds to the
// requests that wait for it are alarms: 25 % over the baseline fails the run (bench/alarm.js).
// With --write-baseline, the soak writes that baseline anew.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { row } = require('./report');

const BASELINE = path.join(__dirname, 'baseline-soak.json');
const DEFAULTS = { users: 200, instances: 2, minutes: 0.5 };
const TIMEOUT_MS = 4 * 60_000;

/** The soak's JSON result, run with `settings`; rejects when it prints none. */
function runSoak({ users, instances, minutes }, writeBaseline) {
  const args = ['--users', String(users), '--instances', String(instances), '--minutes', String(minutes), '--json'];
  if (writeBaseline) args.push('--write-baseline');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'soak.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGTERM'), TIMEOUT_MS);
    child.once('close', (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout).result);
      } catch {
        reject(new Error(`the soak printed no result (exit code ${code}): ${stderr.split('\n')[0]}`));
      }
    });
  });
}

async function soak({ writeBaseline }) {
  const settings = fs.existsSync(BASELINE) ? JSON.parse(fs.readFileSync(BASELINE, 'utf8')).settings : DEFAULTS;
  const result = await runSoak(settings, writeBaseline);
  if (!result.passed) throw new Error(`the soak failed: ${result.failures[0]}`);
  const about = `${settings.users} users, ${settings.instances} instances, ${settings.minutes * 60} s`;
  const commands = result.redisCommandsPerRenewal;
  const p99 = result.addedLatencyMs.p99;
  return [
    {
      ...row(`Soak: Redis commands per renewal (${about})`, commands.toFixed(2), '—'),
      alarm: 'soak-redis-commands',
      value: commands,
    },
    {
      ...row(`Soak: p99 latency a renewal adds to the requests that wait for it, ms (${about})`, p99.toFixed(0), '—'),
      alarm: 'soak-p99-added-latency',
      value: p99,
    },
  ];
}

module.exports = soak;
