// The justlogin-sandbox command stops when whoever started it goes, even when that one is killed
// with SIGKILL and can tell no one: `npm run sandbox` and `npx justlogin-sandbox` (npm starts it
// through `sh -c`, which outlives npm) and a plain parent process.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

import { runCommand, SANDBOX_COMMAND, stopCommand } from './support/sandbox-command';

const ROOT = join(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const WAIT_MS = 10_000;

/** The ids of the processes whose command line contains `marker` (Linux's /proc). */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `check` every 100 ms until it holds or `WAIT_MS` has passed; resolves with its last answer. */
async function eventually(check: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A parent process that starts the command as its own child and then just waits. */
const PARENT = `const { spawn } = require('node:child_process');
spawn(process.execPath, process.argv.slice(1), { stdio: 'inherit' });
setInterval(() => {}, 1000);`;

test.each([
  ['npm run sandbox', NPM, ['run', 'sandbox', '--']],
  ['npx justlogin-sandbox', NPX, ['--no', '--', 'justlogin-sandbox']],
  ['a node parent', process.execPath, ['-e', PARENT, SANDBOX_COMMAND]],
])('stops when %s is killed with SIGKILL', async (_name, program, args) => {
  // Marks the sandbox's command line, to find its process.
  const marker = `http://localhost/${randomUUID()}`;
  const parent = runCommand([...args, '--port', '0', '--client', `parent-test:secret:${marker}`], {
    program,
    cwd: ROOT,
  });
  try {
    const [, port] = await parent.waitFor(/^JustLogin sandbox listening: issuer=http:\/\/127\.0\.0\.1:(\d+)\//m);
    const sandboxes = processesWith(`parent-test:secret:${marker}`).filter((pid) => pid !== parent.child.pid);
    expect(sandboxes.length).toBeGreaterThan(0);
    expect(await accepts(Number(port))).toBe(true);

    parent.child.kill('SIGKILL');
    await parent.exited;

    expect(await eventually(async () => !(await accepts(Number(port))))).toBe(true);
    expect(await eventually(() => processesWith(marker).length === 0)).toBe(true);
  } finally {
    await stopCommand(parent);
    for (const pid of processesWith(marker)) process.kill(pid, 'SIGKILL');
  }
});
