// `npx passport-justlogin doctor` as a user runs it: the built command that package.json's "bin" names,
// as its own process, with the environment variables an app reads, against the sandbox: a good set-up,
// then each broken one. Needs `npm run build` first (the test script builds before jest).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/free-port';
import { startRewritingProxy, type RewritingProxy } from '../support/rewriting-proxy';
import { startSandbox, type RunningSandbox } from '../support/sandbox';

const ROOT = join(__dirname, '..', '..');
const { bin } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const COMMAND = join(ROOT, bin['passport-justlogin']);
const CALLBACK_URL = 'http://localhost:3000/auth/justlogin/callback';
const WRONG_SECRET = 'not-the-demo-secret';
const CHECKS = ['settings', 'connection', 'clock', 'discovery', 'credentials', 'callback URL'];
const TLS_FIXTURES = join(ROOT, 'test', 'fixtures', 'tls');

let sandbox: RunningSandbox;
const proxies: RewritingProxy[] = [];

beforeAll(async () => {
  if (!existsSync(COMMAND)) throw new Error(`${COMMAND} is missing: run \`npm run build\` first`);
  sandbox = await startSandbox();
});
afterAll(async () => {
  for (const proxy of proxies) await proxy.stop();
  await sandbox?.stop();
});

/** The environment of an app set up for the sandbox, with `changes` (undefined: unset). */
function settings(changes: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    JUSTLOGIN_CLIENT_ID: sandbox.clientID,
    JUSTLOGIN_CLIENT_SECRET: sandbox.clientSecret,
    JUSTLOGIN_BASE_URL: sandbox.origin,
    JUSTLOGIN_CALLBACK_URL: CALLBACK_URL,
    ...changes,
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Each check's line, by check name. */
  lines: Record<string, string>;
}

/**
 * Runs the command with `env` (and none of this process's JUSTLOGIN_* variables, nor certificates it
 * trusts through NODE_EXTRA_CA_CERTS); checks that
 * neither secret, nor a trace of one, was printed.
 */
async function doctor(env: Record<string, string | undefined>, args = ['doctor']): Promise<Run> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('JUSTLOGIN_') && name !== 'NODE_EXTRA_CA_CERTS'),
  );
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
  const run = await new Promise<Omit<Run, 'lines'>>((resolve) => {
    execFile(process.execPath, [COMMAND, ...args], { env: { ...inherited, ...given } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
  for (const secret of [sandbox.clientSecret, WRONG_SECRET, '[redacted]']) {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
  const lines: Record<string, string> = {};
  for (const line of run.stdout.split('\n')) {
    const check = CHECKS.find((name) => line.slice(2).startsWith(`${name}: `));
    if (check) lines[check] = line;
  }
  return { ...run, lines };
}

/** Each check's mark: ✓ passed, ✗ failed, ? could not tell, - not checked. */
function marks(run: Run): Record<string, string> {
  return Object.fromEntries(CHECKS.map((check) => [check, run.lines[check]?.[0]]));
}

const allPassed = Object.fromEntries(CHECKS.map((check) => [check, '✓']));

test('a good set-up: every check passes, one line each, and the exit code is 0', async () => {
  const run = await doctor(settings());
  expect(run.stderr).toBe('');
  expect(marks(run)).toEqual(allPassed);
  expect(run.lines.settings).toBe(
    `✓ settings: client demo-client at ${sandbox.origin}, callback URL ${CALLBACK_URL}, secret from JUSTLOGIN_CLIENT_SECRET`,
  );
  expect(run.lines.discovery).toBe(
    `✓ discovery: issuer ${sandbox.issuer} and 1 signing key (RS256), as the package expects`,
  );
  expect(run.lines.credentials).toContain('accepts the client ID and secret (a made-up code got invalid_grant)');
  expect(run.lines['callback URL']).toBe(
    `✓ callback URL: JustLogin accepts ${CALLBACK_URL}: its authorize endpoint sent the browser on to its sign-in page at ${sandbox.origin}`,
  );
  expect(run.stdout.trimEnd().split('\n')).toHaveLength(CHECKS.length + 1);
  expect(run.stdout).toMatch(/All 6 checks passed\.\n$/);
  expect(run.code).toBe(0);
});

test('it signs nobody in: its token request gets invalid_grant, and no other token request is made', async () => {
  const before = sandbox.tokenRequests.length;
  await doctor(settings());
  expect((await sandbox.waitForTokenRequests(before + 1)).slice(before)).toEqual([
    'token-request grant_type=authorization_code status=400',
  ]);
});

test('--json: the same checks as JSON, and the same exit code', async () => {
  const good = await doctor(settings(), ['doctor', '--json']);
  const report = JSON.parse(good.stdout) as { ok: boolean; checks: { check: string; status: string }[] };
  expect(report.ok).toBe(true);
  expect(report.checks.map(({ check, status }) => [check, status])).toEqual(CHECKS.map((check) => [check, 'pass']));
  expect(good.code).toBe(0);

  const bad = await doctor(settings({ JUSTLOGIN_CLIENT_SECRET: WRONG_SECRET }), ['doctor', '--json']);
  const failed = JSON.parse(bad.stdout) as { ok: boolean; checks: { check: string; status: string; fix?: string }[] };
  expect(failed.ok).toBe(false);
  expect(failed.checks.find(({ check }) => check === 'credentials')).toEqual({
    check: 'credentials',
    status: 'fail',
    finding: 'JustLogin refused the client ID or secret (invalid_client)',
    fix: 'copy JUSTLOGIN_CLIENT_ID and JUSTLOGIN_CLIENT_SECRET again from JustLogin; production and staging have different ones (JUSTLOGIN_ENV)',
  });
  expect(bad.code).toBe(1);
});

test('a wrong secret: the credentials check fails with invalid_client and says what to do', async () => {
  const run = await doctor(settings({ JUSTLOGIN_CLIENT_SECRET: WRONG_SECRET }));
  expect(marks(run)).toEqual({ ...allPassed, credentials: '✗' });
  expect(run.lines.credentials).toBe(
    '✗ credentials: JustLogin refused the client ID or secret (invalid_client) → copy JUSTLOGIN_CLIENT_ID and JUSTLOGIN_CLIENT_SECRET again from JustLogin; production and staging have different ones (JUSTLOGIN_ENV)',
  );
  expect(run.stdout).toMatch(/5 of 6 checks passed\.\n$/);
  expect(run.code).toBe(1);
});

test('an unregistered callback URL: the callback check fails, naming the URL to register', async () => {
  const unregistered = 'http://localhost:3001/auth/justlogin/callback';
  const run = await doctor(settings({ JUSTLOGIN_CALLBACK_URL: unregistered }));
  expect(marks(run)).toEqual({ ...allPassed, 'callback URL': '✗' });
  expect(run.lines['callback URL']).toBe(
    `✗ callback URL: JustLogin refused ${unregistered}: its authorize endpoint sent the browser to an error page (HTTP 400) → register exactly ${unregistered} (scheme, host, port and path) for client demo-client with JustLogin, or set JUSTLOGIN_CALLBACK_URL to the one registered`,
  );
  expect(run.code).toBe(1);
});

test('a wrong issuer: a server whose discovery document names another issuer fails the discovery check', async () => {
  // In front of the sandbox without rewriting its answers: the document names the sandbox's issuer.
  const proxy = await startRewritingProxy(sandbox.origin);
  proxies.push(proxy);
  const run = await doctor(settings({ JUSTLOGIN_BASE_URL: proxy.origin }));
  expect(marks(run)).toEqual({ ...allPassed, discovery: '✗' });
  expect(run.lines.discovery).toBe(
    `✗ discovery: JustLogin's discovery document names an issuer other than ${proxy.origin}/v1/auth (OpenID Connect Discovery 1.0 §4.3); it names ${sandbox.issuer} → JUSTLOGIN_BASE_URL must be the issuer's host: ${sandbox.origin}`,
  );
  expect(run.code).toBe(1);
});

test('the server down: the connection check fails, the others are not run', async () => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const run = await doctor(settings({ JUSTLOGIN_BASE_URL: closed }));
  expect(marks(run)).toEqual({
    ...Object.fromEntries(CHECKS.map((check) => [check, '-'])),
    settings: '✓',
    connection: '✗',
  });
  expect(run.lines.connection).toBe(
    "✗ connection: Could not reach JustLogin's discovery document (ECONNREFUSED) → nothing listens there: check JUSTLOGIN_BASE_URL (and that the server is running)",
  );
  expect(run.lines.clock).toBe('- clock: not checked: JustLogin did not answer');
  expect(run.code).toBe(1);
});

test('TLS: a certificate this machine does not trust fails the connection check; once trusted, all pass over https', async () => {
  const tls = {
    key: readFileSync(join(TLS_FIXTURES, 'loopback.key')),
    cert: readFileSync(join(TLS_FIXTURES, 'loopback.crt')),
  };
  const proxy = await startRewritingProxy(sandbox.origin, { ownOrigin: true, tls });
  proxies.push(proxy);

  const untrusted = await doctor(settings({ JUSTLOGIN_BASE_URL: proxy.origin }));
  expect(marks(untrusted)).toEqual({
    ...Object.fromEntries(CHECKS.map((check) => [check, '-'])),
    settings: '✓',
    connection: '✗',
  });
  expect(untrusted.lines.connection).toMatch(
    /^✗ connection: Could not reach JustLogin's discovery document \(DEPTH_ZERO_SELF_SIGNED_CERT\) → the TLS connection failed: if a proxy on this network re-signs TLS, give Node.js its CA with NODE_EXTRA_CA_CERTS; never turn certificate checks off$/,
  );
  expect(untrusted.code).toBe(1);

  const trusted = await doctor(
    settings({ JUSTLOGIN_BASE_URL: proxy.origin, NODE_EXTRA_CA_CERTS: join(TLS_FIXTURES, 'loopback.crt') }),
  );
  expect(marks(trusted)).toEqual(allPassed);
  expect(trusted.lines.connection).toBe(`✓ connection: ${proxy.origin} answers over TLS, with a trusted certificate`);
  expect(trusted.code).toBe(0);
});

test("a skewed clock: the server's Date five minutes ahead fails the clock check, beyond the 60 s tolerated", async () => {
  const proxy = await startRewritingProxy(sandbox.origin, { dateOffsetSeconds: 300, ownOrigin: true });
  proxies.push(proxy);
  const run = await doctor(settings({ JUSTLOGIN_BASE_URL: proxy.origin }));
  expect(marks(run)).toEqual({ ...allPassed, clock: '✗' });
  expect(run.lines.clock).toMatch(
    /^✗ clock: this machine's clock is (299|300|301) s behind JustLogin's, more than the 60 s the package tolerates → id_tokens would be refused as issued in the future: synchronise the clock \(NTP/,
  );
  expect(run.code).toBe(1);

  // The app's own tolerance, when it sets a larger clockTolerance.
  const tolerant = await doctor(settings({ JUSTLOGIN_BASE_URL: proxy.origin }), ['doctor', '--clock-tolerance', '600']);
  expect(tolerant.lines.clock).toMatch(
    /^✓ clock: this machine's clock is within (299|300|301) s of JustLogin's \(the package tolerates 600 s\)$/,
  );
  expect(tolerant.code).toBe(0);
});

test('missing settings: named by their environment variables, and nothing is sent', async () => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const run = await doctor(
    settings({
      JUSTLOGIN_BASE_URL: closed,
      JUSTLOGIN_CLIENT_SECRET: undefined,
      JUSTLOGIN_CALLBACK_URL: '/auth/justlogin/callback',
    }),
  );
  expect(run.lines.settings).toBe(
    '✗ settings: JUSTLOGIN_CLIENT_SECRET is not set; JUSTLOGIN_CALLBACK_URL must be the whole callback URL registered with JustLogin, e.g. https://app.example.com/auth/justlogin/callback → set them as the app does (see --help)',
  );
  expect(run.lines.connection).toBe('- connection: not checked: fix the settings first');
  expect(run.code).toBe(1);
});

test('flags stand for the environment variables; the secret has none, and a value given for it is never printed', async () => {
  const flagged = await doctor({ JUSTLOGIN_CLIENT_SECRET: sandbox.clientSecret }, [
    'doctor',
    '--client-id',
    sandbox.clientID,
    '--base-url',
    sandbox.origin,
    '--callback-url',
    CALLBACK_URL,
  ]);
  expect(marks(flagged)).toEqual(allPassed);

  const refused = await doctor(settings(), ['doctor', `--client-secret=${WRONG_SECRET}`]);
  expect(refused.stdout).toBe('');
  expect(refused.stderr).toBe(
    'passport-justlogin: the secret is read from JUSTLOGIN_CLIENT_SECRET only, to keep it out of shell histories and process lists (see --help)\n',
  );
  expect(refused.code).toBe(2);
});

test('--help explains the checks, the settings it reads and the exit code', async () => {
  const run = await doctor({}, ['--help']);
  for (const text of [
    'JUSTLOGIN_CLIENT_ID',
    'JUSTLOGIN_CLIENT_SECRET',
    'JUSTLOGIN_CALLBACK_URL',
    'JUSTLOGIN_ENV',
    'JUSTLOGIN_BASE_URL',
    '--json',
    'Exit code',
    ...CHECKS,
  ]) {
    expect(run.stdout).toContain(text);
  }
  expect(run.code).toBe(0);
  expect((await doctor({}, [])).code).toBe(2);
});
