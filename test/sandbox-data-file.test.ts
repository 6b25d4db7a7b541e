import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/free-port';
import { DEMO_USERS } from './support/sandbox';
import { runCommand, stopCommand, type RunningCommand } from './support/sandbox-command';
import { SANDBOX_REDIRECT_URI, signInForTokens, type SandboxTokens } from './support/sandbox-tokens';

// `justlogin-sandbox --data-file <file>`: stopped and started again on the same port, the sandbox
// still knows the tokens it issued (so apps keep renewing, and its API keeps answering), still signs
// with the same key, and still refuses a refresh token that was spent before it stopped.
const CLIENT = { clientID: 'data-file-client', clientSecret: 'data-file-secret-Df4' };
const [alice] = DEMO_USERS;

let dir: string;
let port: number;
let running: RunningCommand | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sandbox-data-file-'));
  port = await freePort();
});
afterEach(async () => {
  if (running) await stopCommand(running);
  running = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Starts the command on `port`; resolves with its issuer once it listens. */
async function start(...extra: string[]): Promise<{ issuer: string; clientID: string; clientSecret: string }> {
  running = runCommand([
    '--port',
    String(port),
    '--client',
    `${CLIENT.clientID}:${CLIENT.clientSecret}:${SANDBOX_REDIRECT_URI}`,
    ...extra,
  ]);
  const [, issuer] = await running.waitFor(/^JustLogin sandbox listening: issuer=(\S+)$/m);
  return { issuer, ...CLIENT };
}

async function stop(): Promise<number | null> {
  const command = running!;
  running = undefined;
  await stopCommand(command);
  return command.exited;
}

function refresh(issuer: string, refreshToken: string, accessToken: string) {
  return fetch(`${issuer}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${accessToken}` },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, ...clientForm() }),
  });
}
const clientForm = () => ({ client_id: CLIENT.clientID, client_secret: CLIENT.clientSecret });

const keysOf = async (issuer: string) =>
  ((await (await fetch(`${issuer}/.well-known/openid-configuration/jwks`)).json()) as { keys: unknown[] }).keys;

it('keeps what it issued across a restart: renewals, the API and the signing key go on; spent tokens stay spent', async () => {
  const file = join(dir, 'sandbox.json');
  const sandbox = await start('--data-file', file);
  const signedIn = await signInForTokens(sandbox, alice);
  const first = await refresh(sandbox.issuer, signedIn.refresh_token, signedIn.access_token);
  expect(first.status).toBe(200);
  const renewed = (await first.json()) as SandboxTokens;
  const keys = await keysOf(sandbox.issuer);

  expect(await stop()).toBe(0);
  expect((await stat(file)).mode & 0o777).toBe(0o600); // it holds the signing key and the tokens

  const again = await start('--data-file', file);
  expect(again.issuer).toBe(sandbox.issuer);
  expect(await keysOf(again.issuer)).toEqual(keys);
  const api = await fetch(`${new URL(again.issuer).origin}/membership/v3/users/${alice.claims.UserGUID}`, {
    headers: { authorization: `Bearer ${renewed.access_token}` },
  });
  expect(api.status).toBe(200);
  const spent = await refresh(again.issuer, signedIn.refresh_token, signedIn.access_token);
  expect(spent.status).toBe(400);
  expect(await spent.json()).toMatchObject({ error: 'invalid_grant' });
  const next = await refresh(again.issuer, renewed.refresh_token, renewed.access_token);
  expect(next.status).toBe(200);
  expect(await next.json()).toMatchObject({ refresh_token: expect.any(String), access_token: expect.any(String) });
});

it('without --data-file forgets everything when it stops', async () => {
  const sandbox = await start();
  const signedIn = await signInForTokens(sandbox, alice);
  await stop();
  const again = await start();
  const forgotten = await refresh(again.issuer, signedIn.refresh_token, signedIn.access_token);
  expect(forgotten.status).toBeGreaterThanOrEqual(400);
});

it('refuses a --data-file that is not its own, with one line', async () => {
  const file = join(dir, 'other.json');
  await writeFile(file, '{"not":"a sandbox"}');
  const command = runCommand(['--port', String(port), '--data-file', file]);
  expect(await command.exited).toBe(2);
  expect(command.output().stderr).toMatch(/^justlogin-sandbox: --data-file .* is not a sandbox data file/m);
});
