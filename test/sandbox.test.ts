// The JustLogin sandbox identity server (the justlogin-sandbox package) on its own, over plain HTTP.
import { dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { SandboxSignInError, signIn as sandboxSignIn } from 'justlogin-sandbox';

import { DEMO_USERS, RunningSandbox, startSandbox } from './support/sandbox';
import { appRedirectingTo } from './support/sandbox-sign-in';

/** The justlogin-sandbox command (its package's bin). */
const SANDBOX_COMMAND = join(dirname(require.resolve('justlogin-sandbox/package.json')), 'cli.mjs');

const REDIRECT_URI = 'http://localhost:3000/auth/justlogin/callback';
const [alice, bob] = DEMO_USERS;

interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
}

const random = () => randomBytes(16).toString('base64url');

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeURL(sandbox: RunningSandbox, params: Record<string, string>): string {
  const url = new URL(`${sandbox.issuer}/connect/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: sandbox.clientID,
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    ...params,
  }).toString();
  return url.href;
}

async function tokenRequest(
  sandbox: RunningSandbox,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: TokenResponse }> {
  const res = await fetch(`${sandbox.issuer}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as TokenResponse };
}

/** Signs `user` in with PKCE and a nonce; returns the code and what is needed to redeem it. */
async function signIn(sandbox: RunningSandbox, user = alice) {
  const { verifier, challenge } = pkce();
  const state = random();
  const nonce = random();
  const authorize = authorizeURL(sandbox, { state, nonce, code_challenge: challenge, code_challenge_method: 'S256' });
  const redirect = await sandboxSignIn({
    agent: appRedirectingTo(authorize),
    start: '/',
    ...user,
    followCallback: false,
  });
  expect(redirect.origin + redirect.pathname).toBe(REDIRECT_URI);
  expect(redirect.searchParams.get('state')).toBe(state);
  return { code: redirect.searchParams.get('code') ?? '', verifier, nonce };
}

function redeem(sandbox: RunningSandbox, code: string, verifier: string) {
  return tokenRequest(sandbox, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    client_id: sandbox.clientID,
    client_secret: sandbox.clientSecret,
  });
}

/** JustLogin's documented refresh request; `accessToken` goes in the Bearer header when given. */
function refresh(sandbox: RunningSandbox, refreshToken: string, accessToken?: string, clientID = sandbox.clientID) {
  return tokenRequest(
    sandbox,
    {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientID,
      client_secret: sandbox.clientSecret,
    },
    accessToken ? { authorization: `Bearer ${accessToken}` } : {},
  );
}

function expectOAuthError(res: { status: number; body: TokenResponse }, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.body.error).toBe(error);
  expect(res.body.error_description).toEqual(expect.any(String));
}

async function signedInTokens(sandbox: RunningSandbox, user = alice) {
  const { code, verifier } = await signIn(sandbox, user);
  const { status, body } = await redeem(sandbox, code, verifier);
  expect(status).toBe(200);
  return { accessToken: body.access_token ?? '', refreshToken: body.refresh_token ?? '' };
}

describe('JustLogin sandbox identity server', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox?.stop());

  test("discovery names JustLogin's endpoints under <origin>/v1/auth", async () => {
    const res = await fetch(`${sandbox.origin}/v1/auth/.well-known/openid-configuration`);
    const discovery = (await res.json()) as Record<string, unknown>;

    expect(sandbox.issuer).toBe(`${sandbox.origin}/v1/auth`);
    expect(discovery).toMatchObject({
      issuer: sandbox.issuer,
      authorization_endpoint: `${sandbox.issuer}/connect/authorize`,
      token_endpoint: `${sandbox.issuer}/connect/token`,
      userinfo_endpoint: `${sandbox.issuer}/connect/userinfo`,
      jwks_uri: `${sandbox.issuer}/.well-known/openid-configuration/jwks`,
      token_endpoint_auth_methods_supported: ['client_secret_post'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const jwks = (await (await fetch(`${sandbox.issuer}/.well-known/openid-configuration/jwks`)).json()) as {
      keys: object[];
    };
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig' })]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  test("code flow with PKCE and nonce returns a signed id_token of protocol claims and a JWT access token with JustLogin's claims", async () => {
    const { code, verifier, nonce } = await signIn(sandbox, bob);
    const { status, body } = await redeem(sandbox, code, verifier);

    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid' });
    expect(body.access_token).toEqual(expect.any(String));
    expect(body.refresh_token).toEqual(expect.any(String));

    const jwks = createRemoteJWKSet(new URL(`${sandbox.issuer}/.well-known/openid-configuration/jwks`));
    const { payload, protectedHeader } = await jwtVerify(body.id_token ?? '', jwks, {
      issuer: sandbox.issuer,
      audience: sandbox.clientID,
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ nonce, amr: ['pwd'], idp: 'local' });
    expect(payload).not.toHaveProperty('UserGUID');
    expect(payload.auth_time).toEqual(expect.any(Number));
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);

    const access = await jwtVerify(body.access_token ?? '', jwks, { issuer: sandbox.issuer, typ: 'at+jwt' });
    expect(access.payload).toMatchObject({ ...bob.claims, sub: payload.sub });
  });

  test('an authorization code is single-use', async () => {
    const { code, verifier } = await signIn(sandbox);
    expect((await redeem(sandbox, code, verifier)).status).toBe(200);

    expectOAuthError(await redeem(sandbox, code, verifier), 400, 'invalid_grant');
  });

  test('a wrong PKCE code_verifier is refused', async () => {
    const { code } = await signIn(sandbox);
    expectOAuthError(await redeem(sandbox, code, pkce().verifier), 400, 'invalid_grant');
  });

  test('refresh with the Bearer header and body credentials rotates the refresh token; the old one is then invalid_grant', async () => {
    const first = await signedInTokens(sandbox);

    const renewed = await refresh(sandbox, first.refreshToken, first.accessToken);
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid' });
    expect(renewed.body.access_token).not.toBe(first.accessToken);
    expect(renewed.body.refresh_token).toEqual(expect.any(String));
    expect(renewed.body.refresh_token).not.toBe(first.refreshToken);

    const reused = await refresh(sandbox, first.refreshToken, renewed.body.access_token);
    expectOAuthError(reused, 400, 'invalid_grant');

    // As with IdentityServer, the reuse does not revoke the newer refresh token; no Bearer header is fine too.
    const again = await refresh(sandbox, renewed.body.refresh_token ?? '');
    expect(again.status).toBe(200);
  });

  test('a Bearer token the sandbox did not issue to that client is refused with 401 invalid_token', async () => {
    const { accessToken, refreshToken } = await signedInTokens(sandbox);

    const unknown = await refresh(sandbox, refreshToken, 'not-a-token-this-sandbox-issued');
    expectOAuthError(unknown, 401, 'invalid_token');

    const otherClient = await refresh(sandbox, refreshToken, accessToken, 'some-other-client');
    expectOAuthError(otherClient, 401, 'invalid_token');

    // The refused requests left the refresh token unused.
    expect((await refresh(sandbox, refreshToken, accessToken)).status).toBe(200);
  });

  test('HTTP Basic client authentication is refused', async () => {
    const { code, verifier } = await signIn(sandbox);
    const basic = Buffer.from(`${sandbox.clientID}:${sandbox.clientSecret}`).toString('base64');
    const basicAuth = await tokenRequest(
      sandbox,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      { authorization: `Basic ${basic}` },
    );
    expectOAuthError(basicAuth, 401, 'invalid_client');
  });

  test('a wrong password shows an error on the sign-in page and does not sign in', async () => {
    const attempt = sandboxSignIn({
      agent: appRedirectingTo(authorizeURL(sandbox, { state: random() })),
      start: '/',
      ...alice,
      password: 'wrong',
      followCallback: false,
    });
    await expect(attempt).rejects.toBeInstanceOf(SandboxSignInError);
    await expect(attempt).rejects.toMatchObject({ reason: 'The Company Id, Username or Password is incorrect.' });
  });

  test('answering No on the consent page returns error=access_denied to the redirect_uri', async () => {
    const state = random();
    const redirect = await sandboxSignIn({
      agent: appRedirectingTo(authorizeURL(sandbox, { state })),
      start: '/',
      ...alice,
      consent: false,
      followCallback: false,
    });
    expect(redirect.origin + redirect.pathname).toBe(REDIRECT_URI);
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe(state);
    expect(redirect.searchParams.has('code')).toBe(false);
  });

  test('prints one token-request line per token request, without secrets or tokens', async () => {
    const before = sandbox.tokenRequests.length;
    const { accessToken, refreshToken } = await signedInTokens(sandbox);
    await refresh(sandbox, refreshToken, accessToken);
    await refresh(sandbox, refreshToken, accessToken);

    const lines = (await sandbox.waitForTokenRequests(before + 3)).slice(before);
    expect(lines).toEqual([
      'token-request grant_type=authorization_code status=200',
      'token-request grant_type=refresh_token status=200',
      'token-request grant_type=refresh_token status=400',
    ]);
  });

  test('a port already in use gives a one-line message and exit code 1', async () => {
    const port = new URL(sandbox.origin).port;
    const child = spawn(process.execPath, [SANDBOX_COMMAND, '--port', port]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `justlogin-sandbox: port ${port} on 127.0.0.1 is already in use (use --port with another port, or --port 0 for any free port)\n`,
    );
  });
});

describe('JustLogin sandbox with SANDBOX_ACCESS_TOKEN_TTL=1', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ SANDBOX_ACCESS_TOKEN_TTL: '1' });
  });
  afterAll(() => sandbox?.stop());

  test('an expired access token still works as the Bearer header of a refresh', async () => {
    const { code, verifier } = await signIn(sandbox);
    const { body } = await redeem(sandbox, code, verifier);
    expect(body.expires_in).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 2100));
    const userinfo = await fetch(`${sandbox.issuer}/connect/userinfo`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(userinfo.status).toBe(401); // it really has expired

    const renewed = await refresh(sandbox, body.refresh_token ?? '', body.access_token);
    expect(renewed.status).toBe(200);
    expect(renewed.body.expires_in).toBe(1);
  }, 10_000);
});
