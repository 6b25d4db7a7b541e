'use strict';
// Section 6: what `npm install` adds to a fresh JavaScript project together
// with passport: the packed passport-justlogin (from `npm pack`) against
// passport-oauth2. Targets (absolute): at most 11 packages (passport-oauth2's 8,
// this package and at most 2 more) and 1.5 MB on disk.
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

const MAX_PACKAGES = 11;
const MAX_MB = 1.5;

/**
 * What is under `dir`: `bytes`, the apparent size of its files and folders
 * (`du -s --apparent-size`, the measure of the target), and `disk`, the
 * blocks they take (`du -s`, which rounds every small file up to a block).
 */
function bytesUnder(dir) {
  let bytes = 0;
  let disk = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() && !entry.isDirectory()) continue;
    const stat = fs.lstatSync(path.join(entry.parentPath ?? entry.path, entry.name));
    bytes += stat.size;
    disk += stat.blocks * 512;
  }
  return { bytes, disk };
}

/** Installs `specs` into a new project under `parent`: packages and bytes added. */
function install(parent, name, specs) {
  const project = path.join(parent, name);
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  npm(['install', ...specs, '--no-audit', '--no-fund', '--ignore-scripts'], project);
  const lock = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', '.package-lock.json'), 'utf8'));
  return { packages: Object.keys(lock.packages).length, ...bytesUnder(path.join(project, 'node_modules')) };
}

async function footprint({ root }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-footprint-'));
  try {
    // dist/ is built by `npm run bench`; --ignore-scripts skips a second build.
    const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root));
    const ours = install(dir, 'with-justlogin', [path.join(dir, packed.filename), 'passport']);
    const theirs = install(dir, 'with-oauth2', ['passport-oauth2', 'passport']);
    const mb = (bytes) => (bytes / 2 ** 20).toFixed(2);
    const size = (side) => `${mb(side.bytes)} (${mb(side.disk)} in blocks)`;
    return [
      row(
        'Install with passport into a JavaScript app: packages (vs passport-oauth2 with passport)',
        String(ours.packages),
        String(theirs.packages),
        (ours.packages / theirs.packages).toFixed(2),
        `≤ ${MAX_PACKAGES}`,
        ours.packages <= MAX_PACKAGES,
      ),
      row(
        'Install with passport into a JavaScript app: MB, du --apparent-size (vs passport-oauth2 with passport)',
        size(ours),
        size(theirs),
        (ours.bytes / theirs.bytes).toFixed(2),
        `≤ ${MAX_MB} MB`,
        ours.bytes / 2 ** 20 <= MAX_MB,
      ),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = footprint;
