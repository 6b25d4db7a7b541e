import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './support/free-port';
import { listensOnLoopbackOnly } from './support/loopback';

// `npm run example` (example-app/main.js) as a person runs it: what it prints,
// what it serves, a port already in use, and Ctrl-C.
const MAIN = join(__dirname, '..', 'example-app', 'main.js');

interface Started {
  child: ChildProcess;
  lines: string[];
  exit: Promise<number | null>;
}

function run(env: Record<string, string>): Started {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  createInterface({ input: child.stderr }).on('line', (line) => lines.push(line));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exit };
}

async function waitFor(started: Started, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const line = started.lines.find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no line matching ${pattern}; got:\n${started.lines.join('\n')}`);
}

async function portIsFree(port: number): Promise<boolean> {
  const probe = net.createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

const started: Started[] = [];
afterEach(async () => {
  // SIGTERM, so that the example stops its sandbox too; SIGKILL if it is still there after 5 s.
  const running = started.splice(0).filter(({ child }) => child.exitCode === null && child.signalCode === null);
  await Promise.all(
    running.map(async ({ child, exit }) => {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(kill);
    }),
  );
});

it('starts the sandbox and the app, prints the URL and demo credentials, and stops both on Ctrl-C', async () => {
  const [port, sandboxPort] = [await freePort(), await freePort()];
  const example = run({ PORT: String(port), SANDBOX_PORT: String(sandboxPort) });
  started.push(example);
  expect(await waitFor(example, /^passport-justlogin example: /)).toBe(
    `passport-justlogin example: http://localhost:${port}`,
  );
  expect(await waitFor(example, /^JustLogin sandbox: /)).toMatch(
    /Company Id ACME, Username alice, Password alice-pass/,
  );

  const home = await fetch(`http://localhost:${port}/`);
  expect(await home.text()).toContain('Sign in with JustLogin');
  const start = await fetch(`http://localhost:${port}/auth/justlogin`, { redirect: 'manual' });
  expect(start.headers.get('location')).toMatch(`http://127.0.0.1:${sandboxPort}/v1/auth/connect/authorize?`);

  example.child.kill('SIGINT');
  expect(await example.exit).toBe(0);
  for (let i = 0; i < 40 && !(await portIsFree(sandboxPort)); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await portIsFree(sandboxPort)).toBe(true);
  expect(await portIsFree(port)).toBe(true);
});

it('listens on 127.0.0.1 only, and says so; HOST=0.0.0.0 listens on every interface', async () => {
  const port = await freePort();
  const local = run({ PORT: String(port), SANDBOX_PORT: String(await freePort()) });
  started.push(local);
  expect(await waitFor(local, /^Listening on /)).toBe(
    `Listening on 127.0.0.1:${port}: this computer only (HOST=0.0.0.0 opens it to the network).`,
  );
  expect(await listensOnLoopbackOnly(port)).toBe(true);
  local.child.kill('SIGINT');
  await local.exit;

  const everywhere = run({ PORT: String(port), SANDBOX_PORT: String(await freePort()), HOST: '0.0.0.0' });
  started.push(everywhere);
  expect(await waitFor(everywhere, /^Listening on /)).toBe(`Listening on 0.0.0.0:${port}.`);
  expect(await listensOnLoopbackOnly(port)).toBe(false);
});

it('says clearly that the port is in use, without a stack trace', async () => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, resolve));
  const port = (busy.address() as net.AddressInfo).port;
  try {
    const example = run({ PORT: String(port), SANDBOX_PORT: String(await freePort()) });
    started.push(example);
    expect(await example.exit).toBe(1);
    const output = example.lines.join('\n');
    expect(output).toContain(`example: port ${port} is already in use`);
    expect(output).not.toMatch(/\n\s+at /);
  } finally {
    busy.close();
  }
});

it('says clearly that the sandbox port is in use', async () => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const sandboxPort = (busy.address() as net.AddressInfo).port;
  try {
    const example = run({ PORT: String(await freePort()), SANDBOX_PORT: String(sandboxPort) });
    started.push(example);
    expect(await example.exit).toBe(1);
    const output = example.lines.join('\n');
    expect(output).toContain(`port ${sandboxPort}`);
    expect(output).toContain('already in use');
    expect(output).not.toMatch(/\n\s+at /);
  } finally {
    busy.close();
  }
});

it('talks to the real JustLogin, and starts no sandbox, when the JUSTLOGIN_* variables are set', async () => {
  const port = await freePort();
  const example = run({
    PORT: String(port),
    JUSTLOGIN_CLIENT_ID: 'real-client',
    JUSTLOGIN_CLIENT_SECRET: 'real-secret',
    JUSTLOGIN_CALLBACK_URL: `http://localhost:${port}/auth/justlogin/callback`,
    JUSTLOGIN_ENV: 'staging',
  });
  started.push(example);
  await waitFor(example, /^passport-justlogin example: /);
  const start = await fetch(`http://localhost:${port}/auth/justlogin`, { redirect: 'manual' });
  const location = new URL(start.headers.get('location') ?? '');
  expect(location.origin + location.pathname).toBe('https://apis.justloginstaging.xyz/v1/auth/connect/authorize');
  expect(location.searchParams.get('client_id')).toBe('real-client');
  expect(example.lines.join('\n')).not.toMatch(/^JustLogin sandbox/m);
  expect(example.lines).toContain('Signing in with JustLogin (environment: staging).');
});

it.each([
  [
    'JUSTLOGIN_ENV=staging alone',
    { JUSTLOGIN_ENV: 'staging' },
    /JUSTLOGIN_CLIENT_ID, JUSTLOGIN_CLIENT_SECRET, JUSTLOGIN_CALLBACK_URL/,
  ],
  [
    'a client id without its secret',
    { JUSTLOGIN_CLIENT_ID: 'real-client', JUSTLOGIN_CALLBACK_URL: 'http://localhost:3000/auth/justlogin/callback' },
    /JUSTLOGIN_CLIENT_SECRET/,
  ],
])('refuses to start, naming what is missing, on %s rather than running on the sandbox', async (_what, env, names) => {
  const example = run({
    PORT: String(await freePort()),
    SANDBOX_PORT: String(await freePort()),
    JUSTLOGIN_CLIENT_ID: '',
    JUSTLOGIN_CLIENT_SECRET: '',
    JUSTLOGIN_CALLBACK_URL: '',
    JUSTLOGIN_ENV: '',
    ...env,
  });
  started.push(example);
  expect(await example.exit).toBe(1);
  const output = example.lines.join('\n');
  expect(output).toMatch(names);
  expect(output).not.toMatch(/^JustLogin sandbox/m);
});
