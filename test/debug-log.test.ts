// NODE_DEBUG=passport-justlogin: a small app (test/support/debug-log-walk.js) on the built package, run as
// its own process against the sandbox, prints one readable line per event on stderr (a sign-in, a renewal,
// an API call, a refused renewal and the requests under them), with none of the secrets it met; without
// NODE_DEBUG it prints nothing. Needs `npm run build` first (the test script builds before jest).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './support/free-port';
import { startSandbox, type RunningSandbox } from './support/sandbox';

const ROOT = join(__dirname, '..');
const PACKAGE = join(ROOT, 'dist');
const WALK = join(__dirname, 'support', 'debug-log-walk.js');

let sandbox: RunningSandbox;
let callbackURL: string;

beforeAll(async () => {
  if (!existsSync(join(PACKAGE, 'diagnostics.js'))) throw new Error(`${PACKAGE} is not built: run \`npm run build\``);
  callbackURL = `http://localhost:${await freePort()}/callback`;
  sandbox = await startSandbox({ JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL });
});
afterAll(() => sandbox?.stop());

/** Runs the walk with `debug` as NODE_DEBUG; its stderr lines, and the secrets it printed. */
async function walk(debug: string | undefined): Promise<{ pid: number; lines: string[]; secrets: string[] }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PACKAGE, SANDBOX_ORIGIN: sandbox.origin, CALLBACK_URL: callbackURL };
  delete env.NODE_DEBUG;
  if (debug !== undefined) env.NODE_DEBUG = debug;
  const { stdout, stderr, pid } = await new Promise<{ stdout: string; stderr: string; pid: number }>(
    (resolve, reject) => {
      const child = execFile(process.execPath, [WALK], { env, timeout: 30_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve({ stdout: out, stderr: err, pid: child.pid! }),
      );
    },
  );
  const { secrets } = JSON.parse(stdout) as { secrets: string[] };
  return { pid, lines: stderr.split('\n').filter(Boolean), secrets };
}

it('prints one line per event, made from the diagnostics messages', async () => {
  const { pid, lines, secrets } = await walk('passport-justlogin');
  const prefix = `PASSPORT-JUSTLOGIN ${pid}: `;
  const ours = lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length));
  // oidc-provider's notice on Node 20 comes from the sandbox, not from this process.
  expect(lines.filter((line) => !line.startsWith(prefix))).toEqual([]);
  const token = `url=${sandbox.issuer}/connect/token`;
  const expected = [
    new RegExp(`^discovery url=${sandbox.issuer}/\\.well-known/openid-configuration status=200 durationMs=\\d+\\.\\d$`),
    new RegExp(`^token grant=authorization_code ${token} status=200 expiresIn=3600 durationMs=\\d+\\.\\d$`),
    new RegExp(`^keys url=${sandbox.issuer}/\\.well-known/openid-configuration/jwks status=200 durationMs=\\d+\\.\\d$`),
    /^sign-in outcome=success durationMs=\d+\.\d$/,
    new RegExp(`^token grant=refresh_token ${token} status=200 expiresIn=3600 durationMs=\\d+\\.\\d$`),
    /^renewal outcome=renewed source=process$/,
    /^api GET \/membership\/v3\/users\/\{userGuid\} status=200 attempt=1 renewed=false durationMs=\d+\.\d$/,
    new RegExp(
      `^token grant=refresh_token ${token} status=400 error=invalid_grant retryable=false reauthenticate=true durationMs=\\d+\\.\\d$`,
    ),
    /^renewal outcome=failed code=invalid_grant source=process$/,
  ];
  expect(ours).toHaveLength(expected.length);
  ours.forEach((line, i) => expect(line).toMatch(expected[i]));

  expect(secrets.filter((secret) => typeof secret === 'string' && secret.length >= 8)).toHaveLength(secrets.length);
  const text = lines.join('\n');
  expect(secrets.filter((secret) => text.includes(secret))).toEqual([]);
}, 60_000);

it('prints nothing without NODE_DEBUG, or with another module in it', async () => {
  expect((await walk(undefined)).lines).toEqual([]);
  expect((await walk('http')).lines.filter((line) => line.includes('PASSPORT-JUSTLOGIN'))).toEqual([]);
}, 60_000);
