import { spawn } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireProgram } from './support/programs';

// `npm test` and `npx jest` look for redis-server, redis-cli and Chromium before anything else and,
// when one is missing, stop within 2 seconds with one line per missing program and nothing left running.
const ROOT = join(__dirname, '..');
const CHECK = join(ROOT, 'test', 'support', 'check-programs.js');
const JEST = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const LIMIT_MS = 2_000;
const REDIS_SERVER_MISSING =
  'redis-server not found: install it with `apt-get install redis-server` (Debian/Ubuntu) or `brew install redis`';
const CHROMIUM_MISSING =
  'chromium not found: install it with `apt-get install chromium` (Debian/Ubuntu) or `brew install --cask chromium`, or set CHROMIUM_PATH';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Whether any process of the run's process group was still there after it exited. */
  leftBehind: boolean;
}

/** Runs `command` in its own process group with `env`; kills the group after `killAfterMs`. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, killAfterMs = 20_000): Promise<Run> {
  const started = Date.now();
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), killAfterMs);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      const ms = Date.now() - started;
      clearTimeout(timer);
      let leftBehind = true;
      try {
        process.kill(-child.pid!, 0);
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        leftBehind = false;
      }
      resolve({ code, stdout, stderr, ms, leftBehind });
    });
  });
}

let bin: string;
/** An environment whose PATH is only `bin`, with no CHROMIUM_PATH. */
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  bin = await mkdtemp(join(tmpdir(), 'passport-justlogin-check-'));
  env = { ...process.env, PATH: bin, npm_config_update_notifier: 'false' };
  delete env.CHROMIUM_PATH;
});
afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
});
afterEach(async () => {
  await rm(bin, { recursive: true, force: true });
  bin = await mkdtemp(join(tmpdir(), 'passport-justlogin-check-'));
  env.PATH = bin;
});

/** Puts a do-nothing program called `name` in `bin`: the check only looks for the file. */
async function provide(...names: string[]): Promise<void> {
  for (const name of names) await writeFile(join(bin, name), '#!/bin/sh\n', { mode: 0o755 });
}

it('passes silently when every program is there', async () => {
  await provide('redis-server', 'redis-cli', 'chromium');
  const result = await run(process.execPath, [CHECK], env);
  expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
});

it('without redis-server: exits 1 within 2 s with one line naming it and its install command', async () => {
  await provide('redis-cli', 'chromium');
  const result = await run(process.execPath, [CHECK], env);
  expect(result).toMatchObject({ code: 1, stdout: '', stderr: `${REDIS_SERVER_MISSING}\n`, leftBehind: false });
  expect(result.ms).toBeLessThan(LIMIT_MS);
});

it('without Chromium: names it, and names CHROMIUM_PATH as it was set when that file is missing', async () => {
  await provide('redis-server', 'redis-cli');
  expect((await run(process.execPath, [CHECK], env)).stderr).toBe(`${CHROMIUM_MISSING}\n`);

  const missing = join(bin, 'chrome');
  const result = await run(process.execPath, [CHECK], { ...env, CHROMIUM_PATH: missing });
  expect(result.stderr).toMatch(new RegExp(`^${missing} not found: install it with .*, or set CHROMIUM_PATH\\n$`));
  expect(result.code).toBe(1);
});

it('with nothing installed: one line for each missing program', async () => {
  const result = await run(process.execPath, [CHECK], env);
  expect(result.stderr.split('\n')).toEqual([
    REDIS_SERVER_MISSING,
    expect.stringMatching(/^redis-cli not found: install it with /),
    CHROMIUM_MISSING,
    '',
  ]);
});

it('`npm test` without redis-server stops within 2 s with the line, before building anything, leaving no process', async () => {
  await provide('redis-cli', 'chromium');
  await symlink(process.execPath, join(bin, 'node'));
  for (const name of ['npm', 'sh']) await symlink(requireProgram({ name, install: '' }), join(bin, name));
  const result = await run(join(bin, 'npm'), ['test', '--silent'], env, 10_000);
  expect(result.stderr).toContain(`${REDIS_SERVER_MISSING}\n`);
  expect(result.stdout).not.toContain('tsc');
  expect(result.code).toBe(1);
  expect(result.leftBehind).toBe(false);
  expect(result.ms).toBeLessThan(LIMIT_MS);
});

it('plain `jest` on a test that starts programs stops at once with the line', async () => {
  await provide('redis-cli', 'chromium');
  const result = await run(process.execPath, [JEST, 'test/instances.test.ts'], env);
  expect(result.stderr).toContain(REDIS_SERVER_MISSING);
  expect(result.stderr).not.toContain('instances.test.ts');
  expect(result.code).toBe(1);
  expect(result.leftBehind).toBe(false);
});

it('`jest` on the unit set runs without redis-server or Chromium', async () => {
  const result = await run(process.execPath, [JEST, '--selectProjects', 'unit', '--', 'test/token-set.test.ts'], env);
  expect(result.stderr).toMatch(/Tests: +\d+ passed, \d+ total/);
  expect(result.code).toBe(0);
});
