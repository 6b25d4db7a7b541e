import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signIn as sandboxSignIn } from 'justlogin-sandbox';
import request from 'supertest';
import ts from 'typescript';
import { fakeIdToken, idTokenClaims } from './support/id-token';
import { freePort } from './support/free-port';
import { codeBlocks, readmeSnippet } from './support/readme';
import { startRedis } from './support/redis-server';
import { DEMO_USERS, startSandbox } from './support/sandbox';
import { TokenServer, tokenResponse } from './support/token-server';

// The snippets of the README and the guides, run as a user would run them: `node app.js`,
// requiring the built package by its name (a TypeScript snippet compiled to JavaScript first).
const ROOT = join(__dirname, '..');
const SNIPPETS = join(ROOT, 'test', '.snippets');

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

/** The snippet as a CommonJS program: a TypeScript one is compiled as `tsc` would with esModuleInterop. */
function program(name: string): string {
  const code = readmeSnippet(name);
  if (!name.endsWith('-ts')) return code;
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  return ts.transpileModule(code, { compilerOptions: options }).outputText;
}

async function startSnippet(name: string, env: Record<string, string>): Promise<string> {
  mkdirSync(SNIPPETS, { recursive: true });
  const file = join(SNIPPETS, `${name}.js`);
  writeFileSync(file, program(name));
  const port = await freePort();
  const app = spawn(process.execPath, [file], { env: { ...process.env, ...env, PORT: String(port) }, stdio: 'pipe' });
  apps.push(app);
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (app.exitCode !== null) throw new Error(`snippet ${name} exited with ${app.exitCode}`);
    try {
      await fetch(url);
      return url;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`snippet ${name} did not start`);
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
      app = await startSnippet(name, { ...values, JUSTLOGIN_BASE_URL: sandbox.origin });
    });
    afterAll(() => sandbox?.stop());

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
      expect(me.body).toEqual({ id: alice.claims.sub, name: alice.claims.name, expiresAt: expect.any(Number) });
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
