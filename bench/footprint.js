'use strict';
// Section 6: what `npm install` adds to a fresh project: the packed
// passport-justlogin (from `npm pack`) against passport-oauth2.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { row } = require('./report');

const TIMEOUT_MS = 120_000;
// npm run passes npm_* variables (npm_config_local_prefix is the repo): drop
// them so each npm below works in its own folder.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

function npm(args, cwd) {
  return execFileSync('npm', args, {
    cwd,
    env,
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Bytes of all files under `dir`. */
function bytesUnder(dir) {
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).size;
  }
  return bytes;
}

/** Installs `spec` into a new project under `parent`: packages and bytes added. */
function install(parent, name, spec) {
  const project = path.join(parent, name);
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  npm(['install', spec, '--no-audit', '--no-fund', '--ignore-scripts'], project);
  const lock = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', '.package-lock.json'), 'utf8'));
  return { packages: Object.keys(lock.packages).length, bytes: bytesUnder(path.join(project, 'node_modules')) };
}

async function footprint({ root }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-footprint-'));
  try {
    // dist/ is built by `npm run bench`; --ignore-scripts skips a second build.
    const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root));
    const ours = install(dir, 'with-justlogin', path.join(dir, packed.filename));
    const theirs = install(dir, 'with-oauth2', 'passport-oauth2');
    const mb = (bytes) => (bytes / 2 ** 20).toFixed(2);
    return [
      row(
        'Install: packages added (vs passport-oauth2)',
        String(ours.packages),
        String(theirs.packages),
        (ours.packages / theirs.packages).toFixed(2),
      ),
      row(
        'Install: bytes added, MB (vs passport-oauth2)',
        mb(ours.bytes),
        mb(theirs.bytes),
        (ours.bytes / theirs.bytes).toFixed(2),
      ),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = footprint;
