// The justlogin-sandbox package as a user's test suite meets it: required by its name from
// CommonJS (inside Jest), imported from an ES module (plain Node), and run as a command.
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import ts from 'typescript';
import {
  CookieJar,
  DEMO_USERS,
  signIn,
  SandboxSignInError,
  startSandbox,
  type Sandbox,
  type TokenRequest,
} from 'justlogin-sandbox';

import { JustLoginStrategy, type JustLoginVerifyWithProfile } from '../lib';

/** The justlogin-sandbox command (its package's bin). */
const SANDBOX_COMMAND = join(dirname(require.resolve('justlogin-sandbox/package.json')), 'cli.mjs');

const run = promisify(execFile);
const CALLBACK = 'http://localhost:3000/auth/justlogin/callback';
const client = { clientID: 'my-app', clientSecret: 'my-app-secret', redirectURIs: [CALLBACK], clientName: 'My HR App' };
const [alice] = DEMO_USERS;

/** A refresh request as JustLogin documents it, straight to the sandbox's token endpoint. */
async function refresh(sandbox: Sandbox, refreshToken: string) {
  const res = await fetch(`${sandbox.issuer}/connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: client.clientID,
      client_secret: client.clientSecret,
    }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { refresh_token?: string; expires_in?: number; error?: string },
  };
}

/** A small app signed in through passport-justlogin on `sandbox`. */
function appOn(sandbox: Sandbox, callbackURL = CALLBACK) {
  const app = express();
  const passport = new Passport();
  app.use(session({ secret: 'sandbox-package-test', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  passport.use(
    new JustLoginStrategy(
      { clientID: client.clientID, clientSecret: client.clientSecret, callbackURL, baseURL: sandbox.origin },
      ((_accessToken, refreshToken, profile, done) =>
        done(null, { id: profile.id, refreshToken })) satisfies JustLoginVerifyWithProfile,
    ),
  );
  app.get('/auth/justlogin', passport.authenticate('justlogin'));
  app.get('/auth/justlogin/callback', passport.authenticate('justlogin', { failureRedirect: '/failed' }), (_req, res) =>
    res.redirect('/'),
  );
  app.get('/me', (req, res) => res.json(req.user ?? null));
  return app;
}

describe('startSandbox() from CommonJS', () => {
  let sandbox: Sandbox;
  const seen: TokenRequest[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({
      clients: [
        client,
        { clientID: 'other', clientSecret: 'other-secret', redirectURIs: ['http://localhost:4444/cb'] },
      ],
      onTokenRequest: (entry) => seen.push(entry),
    });
  });
  afterAll(() => sandbox?.stop());

  test('listens on a free port and serves discovery under its issuer, with an end_session_endpoint', async () => {
    expect(sandbox.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.origin).not.toBe('http://127.0.0.1:4000');
    expect(sandbox.issuer).toBe(`${sandbox.origin}/v1/auth`);
    const discovery = (await (await fetch(`${sandbox.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    expect(discovery.issuer).toBe(sandbox.issuer);
    expect(discovery.token_endpoint).toBe(`${sandbox.issuer}/connect/token`);
    expect(discovery.end_session_endpoint).toBe(`${sandbox.issuer}/connect/endsession`);
  });

  test('signIn() completes the sandbox pages for a supertest agent and returns the app callback response', async () => {
    const agent = request.agent(appOn(sandbox));
    const res = await signIn({ agent, start: '/auth/justlogin', ...alice });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/');
    const me = await agent.get('/me');
    expect(me.body.id).toBe(alice.claims.sub);

    // The sign-in's code redemption is in the token-request log, without any token in it.
    await sandbox.waitForTokenRequests(1);
    expect(sandbox.tokenRequests[0]).toEqual({ clientID: 'my-app', grantType: 'authorization_code', status: 200 });
    expect(seen[0]).toEqual(sandbox.tokenRequests[0]);

    // Refresh tokens rotate by default: the spent one is refused, and each is named by an id only.
    expect((await refresh(sandbox, me.body.refreshToken)).status).toBe(200);
    expect((await refresh(sandbox, me.body.refreshToken)).body).toMatchObject({ error: 'invalid_grant' });
    const refreshes = (await sandbox.waitForTokenRequests(3)).slice(1);
    expect(refreshes.map(({ status }) => status)).toEqual([200, 400]);
    expect(refreshes[0].refreshTokenId).toMatch(/^[0-9a-f]{12}$/);
    expect(refreshes[1].refreshTokenId).toBe(refreshes[0].refreshTokenId);
    expect(JSON.stringify(sandbox.tokenRequests)).not.toContain(me.body.refreshToken);
  });

  test('signIn() with consent: false returns the app response to access_denied', async () => {
    const res = await signIn({
      agent: request.agent(appOn(sandbox)),
      start: '/auth/justlogin',
      ...alice,
      consent: false,
    });
    expect(res.headers.location).toBe('/failed');
  });

  test('signIn() with followCallback: false returns the callback URL without requesting it', async () => {
    let callbacks = 0;
    const counting = express()
      .use('/auth/justlogin/callback', (_req, _res, next) => {
        callbacks += 1;
        next();
      })
      .use(appOn(sandbox));
    const agent = request.agent(counting);
    const sentTo: string[] = [];
    const recording = {
      get: async (path: string) => {
        const res = await agent.get(path);
        sentTo.push(res.headers.location);
        return res;
      },
    };
    const callback = await signIn({ agent: recording, start: '/auth/justlogin', ...alice, followCallback: false });
    expect(callback).toBeInstanceOf(URL);
    expect(callbacks).toBe(0);
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect([...callback.searchParams.keys()].sort()).toEqual(['code', 'iss', 'state']);
    expect(callback.searchParams.get('iss')).toBe(sandbox.issuer);
    // The state is the one the app's sign-in route sent to the sandbox.
    expect(sentTo).toEqual([expect.stringMatching(`^${sandbox.issuer}/connect/authorize\\?`)]);
    expect(callback.searchParams.get('state')).toBe(new URL(sentTo[0]).searchParams.get('state'));

    // The app completes the sign-in with it once; the same callback again is refused.
    expect((await agent.get(`${callback.pathname}${callback.search}`)).headers.location).toBe('/');
    expect((await agent.get('/me')).body.id).toBe(alice.claims.sub);
    expect((await agent.get(`${callback.pathname}${callback.search}`)).headers.location).toBe('/failed');
    expect(callbacks).toBe(2);
  });

  test('signIn() with followCallback: false and consent: false returns the callback URL with access_denied', async () => {
    const callback = await signIn({
      agent: request.agent(appOn(sandbox)),
      start: '/auth/justlogin',
      ...alice,
      consent: false,
      followCallback: false,
    });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  test('signIn() refuses a followCallback that is not a boolean, before any request', async () => {
    let requests = 0;
    const agent = { get: () => Promise.resolve((requests += 1)) };
    const options = { agent, start: '/auth/justlogin', ...alice, followCallback: 'no' as unknown as false };
    await expect(signIn(options)).rejects.toThrow(new TypeError('signIn(): followCallback must be true or false'));
    expect(requests).toBe(0);
  });

  test('signIn() with a wrong password throws SandboxSignInError with the page message', async () => {
    const attempt = signIn({ agent: request.agent(appOn(sandbox)), start: '/auth/justlogin', ...alice, password: 'x' });
    await expect(attempt).rejects.toThrow(SandboxSignInError);
    await expect(attempt).rejects.toThrow('The Company Id, Username or Password is incorrect.');
  });

  test('signIn() with fetch and a cookie jar, against an app on a real port', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const appOrigin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const own = await startSandbox({
      clients: [{ ...client, redirectURIs: [`${appOrigin}/auth/justlogin/callback`] }],
    });
    server.on('request', appOn(own, `${appOrigin}/auth/justlogin/callback`));
    try {
      const cookies = new CookieJar();
      const res = await signIn({ start: `${appOrigin}/auth/justlogin`, cookies, ...alice });
      expect([res.status, res.headers.get('location')]).toEqual([302, '/']);
      const me = await fetch(`${appOrigin}/me`, { headers: { cookie: cookies.header(`${appOrigin}/me`) } });
      expect(((await me.json()) as { id: string }).id).toBe(alice.claims.sub);

      // followCallback: false with fetch: the callback URL, which the jar's session then completes.
      const fresh = new CookieJar();
      const callback = await signIn({
        start: `${appOrigin}/auth/justlogin`,
        cookies: fresh,
        ...alice,
        followCallback: false,
      });
      expect(callback.href.startsWith(`${appOrigin}/auth/justlogin/callback?`)).toBe(true);
      const completed = await fetch(callback, { redirect: 'manual', headers: { cookie: fresh.header(callback) } });
      expect([completed.status, completed.headers.get('location')]).toEqual([302, '/']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await own.stop();
    }
  });

  test('the consent page names the app and offers two different buttons, styled as the sign-in button is', async () => {
    const start = await request(appOn(sandbox)).get('/auth/justlogin');
    const jar = new CookieJar();
    let res = await fetch(start.headers.location, { redirect: 'manual' });
    jar.store(start.headers.location, res);
    const loginURL = new URL(res.headers.get('location')!, start.headers.location);
    const loginPage = await (await fetch(loginURL, { headers: { cookie: jar.header(loginURL.href) } })).text();
    expect(loginPage).toMatch(/<button[^>]*class="primary"[^>]*>Sign in<\/button>/);
    const action = new URL(/action="([^"]+)"/.exec(loginPage)![1], loginURL);
    res = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(action.href), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ companyId: alice.companyId, username: alice.username, password: alice.password }),
    });
    jar.store(action.href, res);
    let next = new URL(res.headers.get('location')!, action);
    res = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header(next.href) } });
    jar.store(next.href, res);
    next = new URL(res.headers.get('location')!, next);
    const consent = await (await fetch(next, { headers: { cookie: jar.header(next.href) } })).text();
    expect(consent).toContain('My HR App wants to connect to your JustLogin account');
    expect(consent).toMatch(/<button[^>]*class="primary"[^>]*value="yes"[^>]*>Yes, allow<\/button>/);
    expect(consent).toMatch(/<button[^>]*class="secondary"[^>]*value="no"[^>]*>No, deny<\/button>/);
  });
});

describe('startSandbox() options', () => {
  test('refuses bad options with a TypeError naming the option', async () => {
    // @ts-expect-error clients is required
    await expect(startSandbox({})).rejects.toThrow(new TypeError('clients must be a non-empty array'));
    await expect(
      startSandbox({ clients: [{ clientID: 'a', clientSecret: '', redirectURIs: [CALLBACK] }] }),
    ).rejects.toThrow(new TypeError('clients[0].clientSecret must be a non-empty string'));
    await expect(startSandbox({ clients: [client], accessTokenTTL: 0 })).rejects.toThrow(
      new TypeError('accessTokenTTL must be an integer from 1 to 31536000 (seconds)'),
    );
    await expect(
      // @ts-expect-error 418 is no fault status
      startSandbox({ clients: [client], faults: { api: { status: 418, count: 1 } } }),
    ).rejects.toThrow(new TypeError('faults.api.status must be one of 429, 500, 502, 503, 504'));
    await expect(startSandbox({ clients: [client], users: [] })).rejects.toThrow(
      new TypeError('users must be a non-empty array'),
    );
  });

  test('a port in use rejects with EADDRINUSE', async () => {
    const first = await startSandbox({ clients: [client] });
    try {
      await expect(startSandbox({ clients: [client], port: Number(new URL(first.origin).port) })).rejects.toMatchObject(
        { code: 'EADDRINUSE' },
      );
    } finally {
      await first.stop();
    }
  });

  test("users replace the demo users; accessTokenTTL and tokens: { refreshTokens: 'reuse' } are applied", async () => {
    const dana = {
      companyId: 'INITECH',
      username: 'dana',
      password: 'dana-pass',
      claims: { sub: 'dana-1', name: 'Dana Lee', email: 'dana@initech.example' },
    };
    const sandbox = await startSandbox({
      clients: [client],
      users: [dana],
      accessTokenTTL: 120,
      tokens: { refreshTokens: 'reuse' },
    });
    try {
      const agent = request.agent(appOn(sandbox));
      await expect(signIn({ agent, start: '/auth/justlogin', ...alice })).rejects.toThrow(SandboxSignInError);
      await signIn({ agent, start: '/auth/justlogin', ...dana });
      const { refreshToken } = (await agent.get('/me')).body as { refreshToken: string };
      const first = await refresh(sandbox, refreshToken);
      const second = await refresh(sandbox, refreshToken);
      expect([first.status, first.body.expires_in, second.status]).toEqual([200, 120, 200]);
      expect(second.body.refresh_token).toBe(refreshToken);
    } finally {
      await sandbox.stop();
    }
  });

  test('faults.api fails the first API calls; stop() closes the port', async () => {
    const sandbox = await startSandbox({
      clients: [client],
      faults: { api: { status: 503, count: 1, retryAfter: 5 } },
    });
    const url = `${sandbox.origin}/membership/v3/users`;
    const first = await fetch(url);
    expect([first.status, first.headers.get('retry-after')]).toEqual([503, '5']);
    expect((await fetch(url)).status).toBe(401);
    await sandbox.stop();
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe('the ES module entry and the command', () => {
  // Inside the repository: an ES module resolves 'justlogin-sandbox' from its own folder, so a script in the
  // system temp folder would find no node_modules.
  const snippets = join(__dirname, '.snippets');
  mkdirSync(snippets, { recursive: true });
  const dir = mkdtempSync(join(snippets, 'sandbox-package-'));

  test('import { startSandbox } starts in process, fast after the first time, and prints no warning', async () => {
    const script = join(dir, 'start.mjs');
    writeFileSync(
      script,
      `import { startSandbox, signIn, DEMO_USERS } from 'justlogin-sandbox';
const times = [];
for (let i = 0; i < 3; i += 1) {
  const started = performance.now();
  const sandbox = await startSandbox({ clients: [{ clientID: 'a', clientSecret: 'b', redirectURIs: ['http://localhost/cb'] }] });
  times.push(Math.round(performance.now() - started));
  const res = await fetch(sandbox.issuer + '/.well-known/openid-configuration');
  if (res.status !== 200) throw new Error('no discovery');
  await sandbox.stop();
}
console.log(JSON.stringify({ times, signIn: typeof signIn, users: DEMO_USERS.length }));
`,
    );
    const { stdout, stderr } = await run(process.execPath, [script], { cwd: __dirname });
    const result = JSON.parse(stdout) as { times: number[]; signIn: string; users: number };
    console.info(`in-process start times (ms): ${result.times.join(', ')}`);
    expect(result).toMatchObject({ signIn: 'function', users: 3 });
    expect(stderr).toBe('');
  });

  test('types the ES module entry as the CommonJS one: an .mts file using it compiles under --strict', () => {
    const folder = join(__dirname, '.snippets');
    mkdirSync(folder, { recursive: true });
    const file = join(folder, 'sandbox-esm-types.mts');
    writeFileSync(
      file,
      [
        "import { CookieJar, DEMO_USERS, SandboxSignInError, signIn, startSandbox } from 'justlogin-sandbox';",
        "const sandbox = await startSandbox({ clients: [{ clientID: 'c', clientSecret: 's', redirectURIs: ['http://localhost/cb'] }] });",
        'const issuer: string = sandbox.issuer;',
        'const res: Response = await signIn({ start: issuer, cookies: new CookieJar(), ...DEMO_USERS[0] });',
        'const wrong: number = sandbox.origin;',
        'const url: URL = await signIn({ start: issuer, cookies: new CookieJar(), ...DEMO_USERS[0], followCallback: false });',
        'const agent = { get: async (path: string) => ({ path }) };',
        "const back: URL = await signIn({ agent, start: '/', ...DEMO_USERS[0], followCallback: false });",
        "const followed: { path: string } = await signIn({ agent, start: '/', ...DEMO_USERS[0] });",
        'const kept: Response = await signIn({ start: issuer, ...DEMO_USERS[0], followCallback: true });',
        "await signIn({ start: issuer, ...DEMO_USERS[0], followCallback: 'no' });",
        'export { issuer, res, wrong, url, back, followed, kept, SandboxSignInError };',
      ].join('\n'),
    );
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      types: ['node'],
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map(
        (d) =>
          `${d.start === undefined ? '' : d.file?.getLineAndCharacterOfPosition(d.start).line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
      );
    // Only the planted mistakes (lines 4 and 10): everything else resolved through index.d.mts.
    expect(problems).toEqual([
      expect.stringMatching(/^4: Type 'string' is not assignable to type 'number'/),
      expect.stringMatching(/^10: No overload matches this call/),
    ]);
  });

  test('--help explains the options', async () => {
    const { stdout } = await run(process.execPath, [SANDBOX_COMMAND, '--help']);
    expect(stdout).toContain('usage: justlogin-sandbox');
    for (const option of ['--port', '--host', '--client', '--users', '--access-token-ttl', '--help']) {
      expect(stdout).toContain(option);
    }
  });

  test('prints the issuer, the clients and the users, parsing redirect URIs that contain colons', async () => {
    const users = join(dir, 'users.json');
    writeFileSync(
      users,
      JSON.stringify([
        { companyId: 'INITECH', username: 'dana', password: 'dana-pass', claims: { sub: 'd1', name: 'Dana' } },
      ]),
    );
    const child = spawn(
      process.execPath,
      [
        SANDBOX_COMMAND,
        '--port',
        '0',
        '--client',
        'one:s1:http://localhost:3000/auth/justlogin/callback',
        '--client',
        'two:s2:http://127.0.0.1:8080/cb',
        '--users',
        users,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    try {
      for (let i = 0; i < 100 && !stdout.includes('INITECH'); i += 1) await new Promise((r) => setTimeout(r, 50));
      const issuer = /^JustLogin sandbox listening: issuer=(\S+)$/m.exec(stdout)?.[1];
      expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/auth$/);
      expect(stdout).toContain('client one (secret s1) redirect URIs: http://localhost:3000/auth/justlogin/callback');
      expect(stdout).toContain('client two (secret s2) redirect URIs: http://127.0.0.1:8080/cb');
      expect(stdout).toContain('INITECH / dana / dana-pass');
      expect(stdout).not.toContain('ACME');
      expect(stderr).toBe('');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  test('a bad argument gives one line and exit code 2', async () => {
    const failed = run(process.execPath, [SANDBOX_COMMAND, '--client', 'only-an-id']);
    await expect(failed).rejects.toMatchObject({
      code: 2,
      stderr: 'justlogin-sandbox: --client must be <id>:<secret>:<redirect-uri>, got "only-an-id" (see --help)\n',
    });
  });
});
