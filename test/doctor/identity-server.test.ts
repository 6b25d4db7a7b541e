// The doctor's checks against a server on 127.0.0.1 that answers as JustLogin's IdentityServer does
// (which the sandbox, built on oidc-provider, does not): its sign-in page at /Account/Login?ReturnUrl=…,
// its error page at /home/error?errorId=…, its token endpoint's errors; then each way it may differ.
import { generateKeyPairSync } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runChecks, type CheckResult } from '../../lib/doctor/checks';
import { jsonReport, textReport } from '../../lib/doctor/report';
import { readCommand, type DoctorSettings } from '../../lib/doctor/settings';

const SECRET = 'identity-server-secret';
const CALLBACK_URL = 'https://app.example.com/auth/justlogin/callback';
const PUBLIC_KEY = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) };
const PRIVATE_KEY = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) };

interface Answer {
  status: number;
  location?: string;
  body?: unknown;
}

/** How the server answers; each scenario changes one part. */
interface Shape {
  discovery: (origin: string) => Answer;
  keys: Answer;
  token: Answer;
  authorize: (request: URL, origin: string) => Answer;
  sendDate: boolean;
}

const IDENTITY_SERVER: Shape = {
  discovery: (origin) => ({
    status: 200,
    body: {
      issuer: `${origin}/v1/auth`,
      jwks_uri: `${origin}/v1/auth/.well-known/openid-configuration/jwks`,
      authorization_endpoint: `${origin}/v1/auth/connect/authorize`,
      token_endpoint: `${origin}/v1/auth/connect/token`,
      id_token_signing_alg_values_supported: ['RS256'],
    },
  }),
  keys: { status: 200, body: { keys: [{ ...PUBLIC_KEY, kid: 'k1', use: 'sig', alg: 'RS256' }] } },
  token: { status: 400, body: { error: 'invalid_grant' } },
  authorize: (request) => ({
    status: 302,
    location: `/v1/auth/Account/Login?ReturnUrl=${encodeURIComponent(`/v1/auth/connect/authorize/callback${request.search}`)}`,
  }),
  sendDate: true,
};

let shape: Shape = IDENTITY_SERVER;
let origin = '';
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', origin);
  const answer: Answer =
    url.pathname === '/v1/auth/.well-known/openid-configuration'
      ? shape.discovery(origin)
      : url.pathname === '/v1/auth/.well-known/openid-configuration/jwks'
        ? shape.keys
        : url.pathname === '/v1/auth/connect/token' && req.method === 'POST'
          ? shape.token
          : url.pathname === '/v1/auth/connect/authorize'
            ? shape.authorize(url, origin)
            : { status: 404 };
  req.resume();
  res.sendDate = shape.sendDate;
  if (answer.location) res.setHeader('Location', answer.location);
  if (typeof answer.body === 'string') res.setHeader('Content-Type', 'text/html');
  res.writeHead(answer.status);
  res.end(answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  shape = IDENTITY_SERVER;
});

/** The settings of an app pointed at this server, read as the command reads them. */
function settings(): DoctorSettings {
  const command = readCommand(['doctor'], {
    JUSTLOGIN_CLIENT_ID: 'hr-portal',
    JUSTLOGIN_CLIENT_SECRET: SECRET,
    JUSTLOGIN_CALLBACK_URL: CALLBACK_URL,
    JUSTLOGIN_BASE_URL: origin,
  });
  if (command.run !== 'doctor') throw new Error(`not a doctor command: ${command.run}`);
  return command.settings;
}

/** The checks' statuses, by name, and the line of `check` in the text report. */
async function check(
  name: CheckResult['check'],
  now?: () => number,
): Promise<{ statuses: Record<string, string>; line: string }> {
  const results = await runChecks(settings(), now);
  const line = textReport(results, [SECRET])
    .split('\n')
    .find((text) => text.slice(2).startsWith(`${name}: `));
  return { statuses: Object.fromEntries(results.map((result) => [result.check, result.status])), line: line ?? '' };
}

const passed = {
  settings: 'pass',
  connection: 'pass',
  clock: 'pass',
  discovery: 'pass',
  credentials: 'pass',
  'callback URL': 'pass',
};

test("IdentityServer's answers to a good set-up: every check passes; its sign-in page means the callback URL is accepted", async () => {
  const { statuses, line } = await check('callback URL');
  expect(statuses).toEqual(passed);
  expect(line).toBe(
    `✓ callback URL: JustLogin accepts ${CALLBACK_URL}: its authorize endpoint sent the browser on to its sign-in page at ${origin}`,
  );
});

test.each<[string, Partial<Shape>, CheckResult['check'], string, string]>([
  [
    'a refused redirect_uri: IdentityServer sends it to its error page',
    { authorize: () => ({ status: 302, location: '/v1/auth/home/error?errorId=CfDJ8Nx4' }) },
    'callback URL',
    'fail',
    `✗ callback URL: JustLogin refused ${CALLBACK_URL}: its authorize endpoint sent the browser to its error page at ORIGIN/v1/auth/home/error → register exactly ${CALLBACK_URL} (scheme, host, port and path) for client hr-portal with JustLogin, or set JUSTLOGIN_CALLBACK_URL to the one registered`,
  ],
  [
    'an accepted callback URL to which JustLogin sends an error: the sign-in is refused all the same',
    { authorize: () => ({ status: 302, location: `${CALLBACK_URL}?error=unauthorized_client&state=s` }) },
    'callback URL',
    'fail',
    `✗ callback URL: JustLogin accepts ${CALLBACK_URL} but refused the sign-in with unauthorized_client → ask JustLogin to allow the authorization code flow for this client`,
  ],
  [
    'an answer that is neither a sign-in page nor an error page: could not tell',
    { authorize: () => ({ status: 200, body: '<html><body>Welcome</body></html>' }) },
    'callback URL',
    'unknown',
    `? callback URL: could not tell whether JustLogin accepts ${CALLBACK_URL}: its authorize endpoint answered HTTP 200, neither a sign-in page nor an error page the doctor knows → sign in once through the app to see`,
  ],
  [
    'a client not allowed the authorization code grant',
    { token: { status: 400, body: { error: 'unauthorized_client' } } },
    'credentials',
    'fail',
    '✗ credentials: JustLogin does not let this client use the authorization code grant (unauthorized_client) → ask JustLogin to allow the authorization code grant for this client',
  ],
  [
    'a token error that says nothing of the credentials: could not tell',
    { token: { status: 400, body: { error: 'invalid_request' } } },
    'credentials',
    'unknown',
    '? credentials: could not tell: a made-up code got invalid_request, not invalid_grant → check JUSTLOGIN_CLIENT_ID and JUSTLOGIN_CLIENT_SECRET; tell JustLogin if they are right',
  ],
  [
    'no discovery document: the package uses the documented endpoints',
    { discovery: () => ({ status: 404 }) },
    'discovery',
    'pass',
    "✓ discovery: not served: the package uses JustLogin's documented endpoints (leave the `discovery` option off)",
  ],
  [
    'a discovery document naming another token endpoint',
    {
      discovery: (at) => ({
        status: 200,
        body: { ...(IDENTITY_SERVER.discovery(at).body as object), token_endpoint: `${at}/connect/token` },
      }),
    },
    'discovery',
    'fail',
    `✗ discovery: the token endpoint is ORIGIN/connect/token, the package uses ORIGIN/v1/auth/connect/token → check JUSTLOGIN_BASE_URL; if it is right, give the app the discovered \`authorizationURL\` and \`tokenURL\``,
  ],
  [
    'a key set that publishes a private key',
    { keys: { status: 200, body: { keys: [{ ...PRIVATE_KEY, kid: 'k1' }] } } },
    'discovery',
    'fail',
    "✗ discovery: JustLogin's key set publishes private keys → tell JustLogin; until then leave `verifyIdTokenSignature` off",
  ],
  [
    'a key set with no key that can check signatures',
    {
      keys: {
        status: 200,
        body: {
          keys: [
            { ...PUBLIC_KEY, use: 'enc' },
            { kty: 'oct', k: 'c2VjcmV0' },
          ],
        },
      },
    },
    'discovery',
    'fail',
    "✗ discovery: JustLogin's key set has no key the package can check id_token signatures with → tell JustLogin; until then leave `verifyIdTokenSignature` off",
  ],
  [
    'no Date header: the clock could not be compared',
    { sendDate: false },
    'clock',
    'unknown',
    "? clock: could not tell: JustLogin's answer has no Date header → keep this machine's clock synchronised (NTP)",
  ],
])('%s', async (_name, change, name, status, line) => {
  shape = { ...IDENTITY_SERVER, ...change };
  const found = await check(name);
  expect(found.statuses).toEqual({ ...passed, [name]: status });
  expect(found.line).toBe(line.replaceAll('ORIGIN', origin));
});

test('a clock ahead of JustLogin: id_tokens would look expired', async () => {
  const { statuses, line } = await check('clock', () => Date.now() + 120_000);
  expect(statuses.clock).toBe('fail');
  expect(line).toMatch(
    /^✗ clock: this machine's clock is (119|120|121) s ahead of JustLogin's, more than the 60 s the package tolerates → id_tokens would be refused as expired: /,
  );
});

test('a secret that a server sends back is redacted from both reports', async () => {
  shape = { ...IDENTITY_SERVER, authorize: () => ({ status: 302, location: `${CALLBACK_URL}?error=${SECRET}` }) };
  const results = await runChecks(settings());
  for (const report of [textReport(results, [SECRET]), jsonReport(results, [SECRET])]) {
    expect(report).not.toContain(SECRET);
    expect(report).toContain('refused the sign-in with [redacted]');
  }
});

test('settings the package refuses are named by the environment variables they came from; nothing is sent', async () => {
  const command = readCommand(['doctor'], {
    JUSTLOGIN_CLIENT_ID: 'hr-portal',
    JUSTLOGIN_CLIENT_SECRET: SECRET,
    JUSTLOGIN_CALLBACK_URL: CALLBACK_URL,
    JUSTLOGIN_BASE_URL: `${origin}/v1/auth`,
    JUSTLOGIN_ENV: 'prod',
  });
  if (command.run !== 'doctor') throw new Error(`not a doctor command: ${command.run}`);
  let requests = 0;
  const count = () => (requests += 1);
  server.on('request', count);
  const [settingsCheck, ...others] = await runChecks(command.settings);
  server.off('request', count);
  expect(settingsCheck.status).toBe('fail');
  expect(settingsCheck.finding).toMatch(
    /^JUSTLOGIN_ENV must be 'production' or 'staging'.*; JUSTLOGIN_BASE_URL names the issuer/,
  );
  expect(others.map((result) => result.status)).toEqual(['skip', 'skip', 'skip', 'skip', 'skip']);
  expect(requests).toBe(0);
});
