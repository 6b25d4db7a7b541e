// The NestJS example (example-app/nest, an ESM app run as its own process) signing a demo user in
// against the JustLogin sandbox, over HTTP as a browser would.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import request from 'supertest';

import { freePort } from './support/free-port';
import { DEMO_USERS, startSandbox, type RunningSandbox } from './support/sandbox';
import { completeSandboxLogin } from './support/sandbox-login';

const ROOT = join(__dirname, '..');
const NEST_MAIN = join(ROOT, 'example-app', 'nest', 'dist', 'main.js');
const START_TIMEOUT_MS = 20_000;
/** Differs from the sandbox's default (3600), so an expiry of this length can only come from the token response. */
const ACCESS_TOKEN_TTL = 600;
const [alice] = DEMO_USERS;

interface ProfileBody {
  id: string;
  name?: string;
  username?: string;
  company?: string;
  expiresAt?: number;
}

interface RunningApp {
  url: string;
  stop(): Promise<void>;
}

/** Starts `node example-app/nest/dist/main.js` and resolves once it listens. */
async function startNest(env: Record<string, string>): Promise<RunningApp> {
  const child = spawn(process.execPath, [NEST_MAIN], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the Nest example did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Nest example exited with code ${code} before listening:\n${output}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const listening = /^NestJS example listening on (\S+)$/.exec(line);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]);
      } else {
        output += `${line}\n`;
      }
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Opens /auth/justlogin with `agent`, signs alice in on the sandbox and returns the callback URL it redirects to. */
async function signInAtSandbox(agent: request.Agent, consent: 'yes' | 'no'): Promise<URL> {
  const start = await agent.get('/auth/justlogin').redirects(0);
  expect(start.status).toBe(302);
  const authorizeURL = start.headers.location;
  expect(authorizeURL).toMatch(new RegExp(`^${sandbox.issuer}/connect/authorize\\?`));
  return new URL(await completeSandboxLogin(authorizeURL, alice, consent));
}

let sandbox: RunningSandbox;
let app: RunningApp;
let callbackURL: string;

beforeAll(async () => {
  if (!existsSync(NEST_MAIN)) {
    throw new Error(`${NEST_MAIN} is missing: run \`npm run build && npm run build:examples\` first`);
  }
  const port = await freePort();
  callbackURL = `http://127.0.0.1:${port}/auth/justlogin/callback`;
  sandbox = await startSandbox({
    JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL,
    SANDBOX_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL),
  });
  app = await startNest({
    JUSTLOGIN_BASE_URL: sandbox.origin,
    JUSTLOGIN_CLIENT_ID: sandbox.clientID,
    JUSTLOGIN_CLIENT_SECRET: sandbox.clientSecret,
    JUSTLOGIN_CALLBACK_URL: callbackURL,
    HOST: '127.0.0.1',
    PORT: String(port),
    SESSION_SECRET: 'nest-test-session-secret',
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([app?.stop(), sandbox?.stop()]);
});

describe('the NestJS example', () => {
  // One user's session, used by the tests below in order.
  let agent: request.Agent;
  let signedInExpiresAt: number;

  it('signs alice in; validate() gets params, so /profile shows an expiry from expires_in', async () => {
    agent = request.agent(app.url);
    const callback = await signInAtSandbox(agent, 'yes');
    expect(callback.origin + callback.pathname).toBe(callbackURL);
    expect(callback.searchParams.get('code')).toBeTruthy();

    const before = Math.floor(Date.now() / 1000);
    const done = await agent.get(callback.pathname + callback.search).redirects(0);
    const after = Math.ceil(Date.now() / 1000);
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/profile');
    await sandbox.waitForTokenRequests(1);
    expect(sandbox.tokenRequests).toEqual(['token-request grant_type=authorization_code status=200']);

    const profile = await agent.get('/profile');
    expect(profile.status).toBe(200);
    const body = profile.body as ProfileBody;
    expect(body).toEqual({
      id: alice.claims.sub,
      name: 'Alice Tan',
      username: 'alice',
      company: 'Acme Corporation',
      expiresAt: expect.any(Number) as unknown,
    });
    expect(body.expiresAt).toBeGreaterThanOrEqual(before + ACCESS_TOKEN_TTL);
    expect(body.expiresAt).toBeLessThanOrEqual(after + ACCESS_TOKEN_TTL);
    signedInExpiresAt = body.expiresAt ?? 0;
  });

  it('/refresh renews the tokens through JustLoginRefresher.fromStrategy and keeps the rotated refresh token', async () => {
    // The sandbox rotates refresh tokens (each one usable once): the second renewal only succeeds
    // when the first one's new refresh token was stored in the session.
    const first = await agent.post('/refresh');
    expect(first.status).toBe(200);
    const second = await agent.post('/refresh');
    expect(second.status).toBe(200);
    await sandbox.waitForTokenRequests(3);
    expect(sandbox.tokenRequests.slice(1)).toEqual([
      'token-request grant_type=refresh_token status=200',
      'token-request grant_type=refresh_token status=200',
    ]);

    const { expiresAt } = second.body as ProfileBody;
    expect(expiresAt).toBeGreaterThanOrEqual(signedInExpiresAt);
    const profile = await agent.get('/profile');
    expect((profile.body as ProfileBody).expiresAt).toBe(expiresAt);
  });

  it('answers 401 on the callback when the user says No, and stays signed out', async () => {
    const stranger = request.agent(app.url);
    const callback = await signInAtSandbox(stranger, 'no');
    expect(callback.searchParams.get('error')).toBe('access_denied');

    const done = await stranger.get(callback.pathname + callback.search).redirects(0);
    expect(done.status).toBe(401);
    expect((await stranger.get('/profile')).status).toBe(401);
  });

  it('answers 401 on /profile and /refresh without a session', async () => {
    expect((await request(app.url).get('/profile')).status).toBe(401);
    expect((await request(app.url).post('/refresh')).status).toBe(401);
  });

  it('answers 503 on /refresh while JustLogin is down, and keeps the user signed in with the same tokens', async () => {
    const before = (await agent.get('/profile')).body as ProfileBody;
    await sandbox.stop();

    const refresh = await agent.post('/refresh');
    expect(refresh.status).toBe(503);
    const after = await agent.get('/profile');
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before);
  });
});

describe('the NestJS docs (docs-draft/nestjs.md, then README.md)', () => {
  it('show each example file verbatim where they name it', () => {
    const snippets = [join(ROOT, 'README.md'), join(ROOT, 'docs-draft', 'nestjs.md')]
      .filter((doc) => existsSync(doc))
      .flatMap((doc) => fileSnippets(readFileSync(doc, 'utf8')));
    expect(snippets.length).toBeGreaterThan(0);
    for (const { file, code } of snippets) {
      expect({ file, code }).toEqual({ file, code: readFileSync(join(ROOT, file), 'utf8') });
    }
  });
});

/** The code blocks that follow `<!-- file: PATH -->` markers. */
function fileSnippets(markdown: string): Array<{ file: string; code: string }> {
  return [...markdown.matchAll(/<!-- file: (\S+) -->\s*```\w*\n([\s\S]*?)```/g)].map(([, file, code]) => ({
    file,
    code,
  }));
}
