// The outside programs some tests run, found before anything starts: a missing one fails
// the test at once with one line that names it and says how to install it.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export const REDIS_SERVER = {
  name: 'redis-server',
  install: '`apt-get install redis-server` (Debian/Ubuntu) or `brew install redis`',
};

export const REDIS_CLI = {
  name: 'redis-cli',
  install: '`apt-get install redis-tools` (Debian/Ubuntu) or `brew install redis`',
};

/** Chromium, or whatever CHROMIUM_PATH names (any Chromium or Chrome binary). */
export const CHROMIUM = {
  name: process.env.CHROMIUM_PATH || 'chromium',
  install: '`apt-get install chromium` (Debian/Ubuntu) or `brew install --cask chromium`, or set CHROMIUM_PATH',
};

function isExecutableFile(path: string): boolean {
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
export function requireProgram(program: { name: string; install: string }): string {
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
