// The outside programs some tests run, found before anything starts: a missing one fails
// at once with one line that names it and says how to install it. Plain JavaScript, so that
// `npm test` can check for them (test/support/check-programs.js) before compiling anything.
const { accessSync, constants, statSync } = require('node:fs');
const { delimiter, isAbsolute, join } = require('node:path');

const REDIS_SERVER = {
  name: 'redis-server',
  install: '`apt-get install redis-server` (Debian/Ubuntu) or `brew install redis`',
};

const REDIS_SENTINEL = {
  name: 'redis-sentinel',
  install: '`apt-get install redis-sentinel` (Debian/Ubuntu) or `brew install redis`',
};

const REDIS_CLI = {
  name: 'redis-cli',
  install: '`apt-get install redis-tools` (Debian/Ubuntu) or `brew install redis`',
};

/** Chromium, or whatever CHROMIUM_PATH names (any Chromium or Chrome binary). */
const CHROMIUM = {
  name: process.env.CHROMIUM_PATH || 'chromium',
  install: '`apt-get install chromium` (Debian/Ubuntu) or `brew install --cask chromium`, or set CHROMIUM_PATH',
};

function isExecutableFile(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The path of `program.name`, an absolute path or a name looked up on PATH; throws
 * "<name> not found: install it with <install>" when it is not an executable file.
 */
function requireProgram(program) {
  const candidates = isAbsolute(program.name)
    ? [program.name]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, program.name));
  const found = candidates.find(isExecutableFile);
  if (found) return found;
  const error = new Error(`${program.name} not found: install it with ${program.install}`);
  error.stack = error.message; // the one line is the whole story: no stack under it
  throw error;
}

module.exports = { REDIS_SERVER, REDIS_SENTINEL, REDIS_CLI, CHROMIUM, requireProgram };
