import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startRedis } from './support/redis-server';
import { startSandbox } from './support/sandbox';
import { startAll } from './support/start-all';

// A set-up that starts several servers at once leaves none running when one of them fails.
interface Child {
  pid: number;
  stop(): Promise<void>;
}

const children: Child[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop()));
});

/** A node process that prints "ready" after `delayMs` and then runs until stopped; kept in `children`. */
function startChild(delayMs: number): Promise<Child> {
  const script = `setTimeout(() => console.log('ready'), ${delayMs}); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: Child = {
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  children.push(handle);
  return new Promise((resolve) => createInterface({ input: child.stdout }).once('line', () => resolve(handle)));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('resolves with every part, in order, when all start', async () => {
  const [slow, quick] = await startAll([startChild(200), startChild(0)]);
  expect(children.map((child) => child.pid)).toEqual([slow.pid, quick.pid]);
  expect([isRunning(slow.pid), isRunning(quick.pid)]).toEqual([true, true]);
});

it('stops the parts that started, also one that finishes starting after the failure, and rejects with it', async () => {
  const failure = await startAll([
    startChild(0),
    startChild(500),
    Promise.reject(new Error('redis-server not found')),
  ]).then(
    () => new Error('it resolved'),
    (err: Error) => err,
  );
  expect(failure.message).toBe('redis-server not found');
  expect(children).toHaveLength(2);
  expect(children.map((child) => isRunning(child.pid))).toEqual([false, false]);
});

describe('the sandbox and a redis-server that is not installed', () => {
  let dir: string;
  const PATH = process.env.PATH;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passport-justlogin-start-all-'));
  });
  afterAll(async () => {
    process.env.PATH = PATH;
    await rm(dir, { recursive: true, force: true });
  });

  it('fails with the install line and leaves no sandbox listening', async () => {
    const sandbox = startSandbox();
    process.env.PATH = dir; // no redis-server in it
    const failure = await startAll([sandbox, startRedis()]).then(
      () => new Error('it resolved'),
      (err: Error) => err,
    );
    process.env.PATH = PATH;
    expect(failure.message).toMatch(/^redis-server not found: install it with /);
    const { origin } = await sandbox; // it did start, and was stopped
    const discovery = `${origin}/v1/auth/.well-known/openid-configuration`;
    expect(
      await fetch(discovery).then(
        () => 'listening',
        () => 'closed',
      ),
    ).toBe('closed');
  });
});
