'use strict';
// The packed passport-justlogin (from `npm pack`) and passport-oauth2, each
// installed with passport into its own new JavaScript project, as an app
// installs them. Made once per run (the start-up and install sections share
// them) in a temporary folder that is removed when the run ends.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const TIMEOUT_MS = 120_000;
// npm run passes npm_* variables (npm_config_local_prefix is the repo): drop
// them so each npm below works in its own folder.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
let made;

function npm(args, cwd) {
  return execFileSync('npm', args, {
    cwd,
    env,
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function install(parent, name, specs) {
  const project = path.join(parent, name);
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  npm(['install', ...specs, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);
  return project;
}

/** `{ 'passport-justlogin': folder, 'passport-oauth2': folder }`: the two projects. */
function installed(root) {
  if (!made) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-installed-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    // dist/ is built by `npm run bench`; --ignore-scripts skips a second build.
    const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root));
    made = {
      'passport-justlogin': install(dir, 'with-justlogin', [path.join(dir, packed.filename), 'passport']),
      'passport-oauth2': install(dir, 'with-oauth2', ['passport-oauth2', 'passport']),
    };
  }
  return made;
}

module.exports = { installed };
