import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signIn as sandboxSignIn } from 'justlogin-sandbox';
import request from 'supertest';
import { fakeIdToken, idTokenClaims } from './support/id-token';
import { freePort } from './support/free-port';
import { listensOnLoopbackOnly } from './support/loopback';
import { codeBlocks, readmeSnippet, shellCommands } from './support/readme';
import { startRedis } from './support/redis-server';
import { DEMO_USERS, startSandbox } from './support/sandbox';
import { TokenServer, tokenResponse } from './support/token-server';

// The snippets of the README and the guides, run as a user would run them: `node app.js`, requiring
// the built package by its name; the TypeScript app compiled first with the guide's tsconfig.json and
// commands, by this repository's TypeScript.
const ROOT = join(__dirname, '..');
const SNIPPETS = join(ROOT, 'test', '.snippets');
const execFileAsync = promisify(execFile);

let server: TokenServer;
const apps: ChildProcess[] = [];

beforeAll(async () => {
  server = await TokenServer.start();
  server.reply({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims('readme-client')) }) });
});
afterAll(async () => {
  for (const app of apps) app.kill();
  await server.stop();
});

/** Runs `node file` in `cwd` with `env` and a free PORT; resolves with its URL once it answers HTTP. */
async function startProgram(file: string, cwd: string, env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const app = spawn(process.execPath, [file], {
    cwd,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: 'pipe',
  });
  apps.push(app);
  let output = '';
  app.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (app.exitCode !== null) throw new Error(`${file} exited with ${app.exitCode}:\n${output}`);
    try {
      await fetch(url);
      return url;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`${file} did not start`);
}

async function startSnippet(name: string, env: Record<string, string>): Promise<string> {
  mkdirSync(SNIPPETS, { recursive: true });
  const file = join(SNIPPETS, `${name}.js`);
  writeFileSync(file, readmeSnippet(name));
  return startProgram(file, SNIPPETS, env);
}

/**
 * The guide's TypeScript app as a user builds it: a project with npm init's `"type": "commonjs"`, the
 * guide's tsconfig.json and src/app.ts, passport-justlogin installed (a link to this repository, built),
 * compiled with the guide's `npx tsc …` (this repository's TypeScript); resolves with the guide's
 * `node …` command, to run there.
 */
async function buildTypeScriptApp(): Promise<{ dir: string; file: string }> {
  const dir = join(SNIPPETS, 'typescript-app');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'passport-justlogin'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-app', private: true, type: 'commonjs' }));
  writeFileSync(join(dir, 'tsconfig.json'), readmeSnippet('tsconfig'));
  writeFileSync(join(dir, 'src', 'app.ts'), readmeSnippet('express-ts'));
  const commands = shellCommands(readmeSnippet('typescript-commands')).map((line) => line.split(/\s+/));
  expect(commands.map((words) => words.slice(0, 2).join(' '))).toEqual(['npx tsc', 'node dist/app.js']);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await execFileAsync(process.execPath, [tsc, ...commands[0].slice(2)], { cwd: dir }).catch(
    (error: Error & { stdout?: string }) => Promise.reject(new Error(`tsc failed:\n${error.stdout || error.message}`)),
  );
  return { dir, file: commands[1][1] };
}

const env = () => ({
  JUSTLOGIN_CLIENT_ID: 'readme-client',
  JUSTLOGIN_CLIENT_SECRET: 'readme-secret',
  JUSTLOGIN_CALLBACK_URL: 'http://localhost/auth/justlogin/callback',
  JUSTLOGIN_BASE_URL: server.origin,
  SESSION_SECRET: 'readme-session-secret',
});

/** Walks the sign-in: /auth/justlogin, then the callback with the state and nonce JustLogin would echo. */
async function signIn(
  agent: ReturnType<typeof request.agent>,
  code: string,
  expiresIn = 3600,
  refreshToken = 'refresh-token-0001',
) {
  const login = await agent.get('/auth/justlogin').expect(302);
  const location = new URL(login.headers.location);
  expect(location.href.split('?')[0]).toBe(`${server.origin}/v1/auth/connect/authorize`);
  const claims = idTokenClaims('readme-client', { nonce: location.searchParams.get('nonce') });
  server.reply({
    body: tokenResponse({ id_token: fakeIdToken(claims), expires_in: expiresIn, refresh_token: refreshToken }),
  });
  const state = location.searchParams.get('state') ?? '';
  await agent.get(`/auth/justlogin/callback?code=${code}&state=${state}`).expect(302).expect('Location', '/me');
}

/** The README's environment block: each `NAME=value` it exports. */
function readmeEnvironment(): Record<string, string> {
  const block = codeBlocks('README.md').find((b) => b.lang === 'sh' && b.code.includes('export JUSTLOGIN_CLIENT_ID'));
  if (!block) throw new Error('README.md has no environment block');
  const exported = block.code.slice(block.code.indexOf('export '), block.code.indexOf('\nnode '));
  return Object.fromEntries([...exported.matchAll(/\b([A-Z_]+)=(\S+)/g)].map(([, name, value]) => [name, value]));
}

/** The README's Express app (`node app.js`), or the TypeScript guide's, compiled as the guide says. */
async function startExpressApp(name: string, env: Record<string, string>): Promise<string> {
  if (name === 'express') return startSnippet(name, env);
  const { dir, file } = await buildTypeScriptApp();
  return startProgram(file, dir, env);
}

describe.each(['express', 'express-ts'])(
  'the README snippet %s, with the README environment, on the sandbox',
  (name) => {
    const alice = DEMO_USERS.find((user) => user.username === 'alice')!;
    let sandbox: Awaited<ReturnType<typeof startSandbox>>;
    let app: string;
    let values: Record<string, string>;

    beforeAll(async () => {
      // The sandbox as `npm run sandbox` starts it (its own client and callback URL), on a free port.
      sandbox = await startSandbox();
      values = readmeEnvironment();
      app = await startExpressApp(name, { ...values, JUSTLOGIN_BASE_URL: sandbox.origin });
    }, 60_000);
    afterAll(() => sandbox?.stop());

    it('listens on 127.0.0.1 only, as HOST is unset', async () => {
      expect(await listensOnLoopbackOnly(Number(new URL(app).port))).toBe(true);
    });

    it('names every value the snippet reads, and the sandbox client', () => {
      expect(Object.keys(values).sort()).toEqual([
        'JUSTLOGIN_BASE_URL',
        'JUSTLOGIN_CALLBACK_URL',
        'JUSTLOGIN_CLIENT_ID',
        'JUSTLOGIN_CLIENT_SECRET',
        'SESSION_SECRET',
      ]);
      expect([values.JUSTLOGIN_CLIENT_ID, values.JUSTLOGIN_CLIENT_SECRET]).toEqual([
        sandbox.clientID,
        sandbox.clientSecret,
      ]);
      expect(new URL(values.JUSTLOGIN_BASE_URL).hostname).toBe(new URL(sandbox.origin).hostname);
    });

    it('signs a demo user in', async () => {
      const agent = request.agent(app);
      await agent.get('/').expect(200, { signedIn: false });
      const signedIn = await sandboxSignIn({ agent, start: '/auth/justlogin', ...alice });
      expect(signedIn.headers.location).toBe('/me');
      const me = await agent.get('/me').expect(200);
      expect(me.body).toEqual({
        id: alice.claims.sub,
        name: alice.claims.name,
        company: alice.claims.CompanyName,
        expiresAt: expect.any(Number),
      });
      await agent.get('/').expect(200, { signedIn: true });
    });

    it('shows why a refused sign-in failed on /', async () => {
      const agent = request.agent(app);
      const refused = await sandboxSignIn({ agent, start: '/auth/justlogin', ...alice, consent: false });
      expect(refused.headers.location).toBe('/');
      await agent
        .get('/')
        .expect(200, { signedIn: false, failure: 'The user did not allow the sign-in with JustLogin' });
      await agent.get('/me').expect(401);
    });
  },
);

it("the testing guide's Jest recipe passes on the README's app as written, which it requires", async () => {
  const recipe = readmeSnippet('testing-your-app-jest');
  expect(recipe).toContain("const { createApp } = require('./app');");
  const dir = join(SNIPPETS, 'testing-your-app');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'app.js'), readmeSnippet('express'));
  writeFileSync(join(dir, 'sign-in.test.js'), recipe);
  const jest = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  const config = JSON.stringify({ rootDir: dir, testEnvironment: 'node', transform: {} });
  const { stdout } = await execFileAsync(process.execPath, [jest, '--ci', '--json', '--config', config], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: '' },
  }).catch((error: Error & { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const report = JSON.parse(stdout) as {
    numPassedTests: number;
    numFailedTests: number;
    testResults: { message: string }[];
  };
  expect({
    passed: report.numPassedTests,
    failures: report.testResults.map((result) => result.message).filter(Boolean),
  }).toEqual({ passed: [...recipe.matchAll(/^test\(/gm)].length, failures: [] });
}, 120_000);

it('the keep-fresh example renews near-expiry tokens and signs the user out when the refresh token is refused', async () => {
  const agent = request.agent(await startSnippet('keep-fresh', env()));
  await signIn(agent, 'fresh-code', 30);
  const before = server.requests.length;
  server.reply({ body: tokenResponse({ access_token: 'access-token-0002', refresh_token: 'refresh-token-0002' }) });
  const me = await agent.get('/me').expect(200);
  expect(server.requests).toHaveLength(before + 1);
  const refresh = server.requests[before];
  expect(refresh.headers.authorization).toBe('Bearer access-token-0001');
  expect(refresh.form).toEqual({
    grant_type: 'refresh_token',
    refresh_token: 'refresh-token-0001',
    client_id: 'readme-client',
    client_secret: 'readme-secret',
  });
  expect(me.body.expiresAt).toBeGreaterThan(Date.now() / 1000 + 3000);
  await agent.get('/me').expect(200);
  expect(server.requests).toHaveLength(before + 1);

  await signIn(agent, 'fresh-code-2', 30, 'refresh-token-0003'); // a new sign-in, a new refresh token
  server.reply({ status: 400, body: { error: 'invalid_grant' } });
  await agent.get('/me').expect(401, { error: 'reauthentication_required' });
  await agent.get('/me').expect(401);
});

it('the several-instances example finishes a sign-in on another instance and renews once across both', async () => {
  const redis = await startRedis();
  try {
    const instanceEnv = { ...env(), REDIS_URL: redis.url, SESSION_SECRET: 'readme-session-secret-4Wq8Lz1Nc6Ty' };
    const [one, two] = [await startSnippet('instances', instanceEnv), await startSnippet('instances', instanceEnv)];
    const cookies = (res: request.Response) =>
      ([] as string[])
        .concat(res.headers['set-cookie'] ?? [])
        .map((cookie) => cookie.split(';')[0])
        .join('; ');

    const login = await request(one).get('/auth/justlogin').expect(302);
    const location = new URL(login.headers.location);
    const claims = idTokenClaims('readme-client', { nonce: location.searchParams.get('nonce') });
    server.reply({ body: tokenResponse({ id_token: fakeIdToken(claims), expires_in: 30 }) });
    const callback = await request(two)
      .get(`/auth/justlogin/callback?code=instances-code&state=${location.searchParams.get('state')}`)
      .set('Cookie', cookies(login))
      .expect(302)
      .expect('Location', '/me');

    const before = server.requests.length;
    server.reply({
      body: tokenResponse({ access_token: 'access-token-0002', refresh_token: 'refresh-token-0002' }),
      delay: 100,
    });
    const pages = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(i % 2 ? two : one)
          .get('/me')
          .set('Cookie', cookies(callback)),
      ),
    );
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.body.expiresAt).toBeGreaterThan(Date.now() / 1000 + 3000);
    }
    expect(server.requests).toHaveLength(before + 1);
    expect(server.requests[before].form.refresh_token).toBe('refresh-token-0001');
  } finally {
    await redis.stop();
  }
});

it('the security example builds a strategy with signature checks and the cookie store', async () => {
  mkdirSync(SNIPPETS, { recursive: true });
  const file = join(SNIPPETS, 'security.js');
  writeFileSync(file, `${readmeSnippet('security')}\nconsole.log(passport._strategy('justlogin').name);\n`);
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, ...env(), STATE_COOKIE_SECRET: 'readme-state-cookie-secret-7Hk2Qw9Zp4Xc' },
    stdio: 'pipe',
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  expect({ code, out: out.trim() }).toEqual({ code: 0, out: 'justlogin' });
});

it('lists exactly the demo users the sandbox has', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| `(\w+)` +\| `([\w.]+)` +\| `([\w-]+)` +\| ([^|]+?) +\|$/gm)].map((m) => [
    m[1],
    m[2],
    m[3],
    m[4].trim(),
  ]);
  expect(rows).toEqual(DEMO_USERS.map((u) => [u.companyId, u.username, u.password, u.claims.name]));
});
