'use strict';
// Section 5: time to load each package in a fresh process (measured inside it,
// so Node's own boot is left out), each installed in its own project as an app
// installs it, interleaved, alternating who goes first: `require` alone, and
// `require` plus a strategy built with id_token signature checks on
// (passport-oauth2: its Strategy with state and PKCE). Also counts the files
// each loads, and whether jose is among them. passport-justlogin's `require` includes Node's first
// resolution of a package's "exports" field (it loads Node's ES module
// resolver; passport-oauth2 has no such field); the last row shows the time
// once that is done, as in an app with any package that has one.
const { execFileSync } = require('node:child_process');
const { compare, row } = require('./report');
const { installed } = require('./installed');

const TIMEOUT_MS = 30_000;
const SCENARIOS = {
  require: {
    'passport-justlogin': `require('passport-justlogin');`,
    'passport-oauth2': `require('passport-oauth2');`,
  },
  resolved: {
    'passport-justlogin': `require('passport-justlogin');`,
    'passport-oauth2': `require('passport-oauth2');`,
  },
  construct: {
    'passport-justlogin': `const { JustLoginStrategy } = require('passport-justlogin');
new JustLoginStrategy({ clientID: 'c', clientSecret: 's', callbackURL: '/cb', verifyIdTokenSignature: true },
  (accessToken, refreshToken, params, profile, done) => done(null, {}));`,
    'passport-oauth2': `const OAuth2Strategy = require('passport-oauth2');
new OAuth2Strategy({ authorizationURL: 'https://apis.justlogin.com/v1/auth/connect/authorize',
  tokenURL: 'https://apis.justlogin.com/v1/auth/connect/token', clientID: 'c', clientSecret: 's',
  callbackURL: '/cb', state: true, pkce: true }, (accessToken, refreshToken, params, profile, done) => done(null, {}));`,
  },
};

/** Runs `code` in a fresh process: ms it took, files it loaded, and whether jose is among them. */
function load(code, cwd, before = '') {
  const script = `${before}
const files = () => Object.keys(require.cache);
const before = new Set(files());
const t = process.hrtime.bigint();
${code}
const ms = Number(process.hrtime.bigint() - t) / 1e6;
const loaded = files().filter((file) => !before.has(file));
process.stdout.write(JSON.stringify({ ms, files: loaded.length, jose: loaded.some((f) => /[\\\\/]jose[\\\\/]/.test(f)) }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8', timeout: TIMEOUT_MS }));
}

// jose has an "exports" field: resolving it loads Node's ES module resolver.
const PREPARE = { resolved: { 'passport-justlogin': `require.resolve('jose');` } };

async function startUp({ root, plan }) {
  const projects = installed(root);
  const rows = [];
  const runs = {};
  for (const [scenario, contenders] of Object.entries(SCENARIOS)) {
    const names = Object.keys(contenders);
    runs[scenario] = Object.fromEntries(names.map((name) => [name, []]));
    for (let i = 0; i < plan.processes; i++) {
      for (const name of i % 2 ? [...names].reverse() : names) {
        runs[scenario][name].push(load(contenders[name], projects[name], PREPARE[scenario]?.[name]));
      }
    }
  }
  const ms = (scenario, name) => runs[scenario][name].map((run) => run.ms);
  const label = `median of ${plan.processes} processes each; vs passport-oauth2`;
  rows.push(
    compare(
      `Start-up: require() in a fresh process, ms (${label})`,
      ms('require', 'passport-justlogin'),
      ms('require', 'passport-oauth2'),
      undefined,
      false,
    ),
    compare(
      `Start-up: require() and a strategy with signature checks, ms (${label}'s Strategy)`,
      ms('construct', 'passport-justlogin'),
      ms('construct', 'passport-oauth2'),
      undefined,
      false,
    ),
    compare(
      `Start-up: require() once Node has resolved some package's "exports", ms (${label})`,
      ms('resolved', 'passport-justlogin'),
      ms('resolved', 'passport-oauth2'),
      undefined,
      false,
    ),
  );
  const ours = runs.construct['passport-justlogin'][0];
  const theirs = runs.construct['passport-oauth2'][0];
  rows.push(
    row(
      'Start-up: files loaded by require() and a strategy with signature checks (vs passport-oauth2)',
      `${ours.files}${ours.jose ? ' (jose among them)' : ''}`,
      String(theirs.files),
      (ours.files / theirs.files).toFixed(2),
    ),
  );
  return rows;
}

module.exports = startUp;
