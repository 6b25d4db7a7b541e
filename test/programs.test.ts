import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireProgram } from './support/programs';
import { startRedis } from './support/redis-server';

// A test that needs an outside program says so in one line, at once, instead of timing out.
const INSTALL = '`apt-get install example-program`';
const REDIS_MISSING =
  'redis-server not found: install it with `apt-get install redis-server` (Debian/Ubuntu) or `brew install redis`';

let dir: string;
const PATH = process.env.PATH;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passport-justlogin-programs-'));
});
afterEach(() => {
  process.env.PATH = PATH;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The error `run` throws, or fails the test when it throws none. */
function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

it('returns the path of a program found on PATH', async () => {
  await writeFile(join(dir, 'example-program'), '#!/bin/sh\n', { mode: 0o755 });
  process.env.PATH = ['/nonexistent-dir', dir].join(':');
  expect(requireProgram({ name: 'example-program', install: INSTALL })).toBe(join(dir, 'example-program'));
});

it('throws one line naming the program and its install command, with no stack under it', () => {
  process.env.PATH = dir;
  const error = thrown(() => requireProgram({ name: 'no-such-program', install: INSTALL }));
  expect(error.message).toBe('no-such-program not found: install it with `apt-get install example-program`');
  expect(error.stack).toBe(error.message);
});

it('does not take a file that cannot be run, or a directory, for the program', async () => {
  await writeFile(join(dir, 'not-executable'), '#!/bin/sh\n', { mode: 0o644 });
  await mkdir(join(dir, 'a-directory'));
  await chmod(join(dir, 'a-directory'), 0o755);
  process.env.PATH = dir;
  for (const name of ['not-executable', 'a-directory']) {
    expect(thrown(() => requireProgram({ name, install: INSTALL })).message).toBe(
      `${name} not found: install it with ${INSTALL}`,
    );
  }
});

it('checks an absolute path as it is, without PATH', async () => {
  await writeFile(join(dir, 'browser'), '#!/bin/sh\n', { mode: 0o755 });
  process.env.PATH = '';
  expect(requireProgram({ name: join(dir, 'browser'), install: INSTALL })).toBe(join(dir, 'browser'));
  expect(thrown(() => requireProgram({ name: join(dir, 'missing'), install: INSTALL })).message).toBe(
    `${join(dir, 'missing')} not found: install it with ${INSTALL}`,
  );
});

it('startRedis without redis-server on PATH fails at once with the install line', async () => {
  process.env.PATH = dir;
  const started = Date.now();
  const failure = await startRedis().then(
    (running) => running.stop().then(() => new Error('redis-server started')),
    (err: Error) => err,
  );
  expect(failure.message).toBe(REDIS_MISSING);
  expect(Date.now() - started).toBeLessThan(1_000);
});
