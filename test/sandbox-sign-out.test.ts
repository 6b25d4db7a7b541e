// Signing out of the sandbox as of JustLogin's IdentityServer: revocation at connect/revocation (a
// revoked refresh token's grant is gone, its JWT access tokens too), end session at connect/endsession
// (post_logout_redirect_uri honoured only with a valid id_token_hint), back-channel logout to each
// client's backchannelLogoutURI, and a control call that signs a user out everywhere.
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { CookieJar, SandboxSignInError, signIn, startSandbox, type Sandbox } from 'justlogin-sandbox';
import { followEndSession, LogoutRecorder } from './support/sandbox-sign-out';
import { DEMO_USERS } from './support/sandbox';
import { redeemCode, SANDBOX_REDIRECT_URI } from './support/sandbox-tokens';
import { appRedirectingTo } from './support/sandbox-sign-in';
import { runCommand, stopCommand } from './support/sandbox-command';

const alice = DEMO_USERS.find((user) => user.username === 'alice')!;
const HOME = 'http://localhost:3000/';
const SIGNED_OUT = 'http://localhost:3000/auth/signed-out';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

let sandbox: Sandbox;
let recorder: LogoutRecorder;
const client = { clientID: 'demo-client', clientSecret: 'demo-secret' };
const other = { clientID: 'other-client', clientSecret: 'other-secret' };
/** Client credentials as a form body carries them. */
const form = ({ clientID, clientSecret }: typeof client) => ({ client_id: clientID, client_secret: clientSecret });

beforeAll(async () => {
  recorder = await LogoutRecorder.start();
  sandbox = await startSandbox({
    clients: [
      {
        ...client,
        redirectURIs: [SANDBOX_REDIRECT_URI],
        postLogoutRedirectURIs: [SIGNED_OUT],
        backchannelLogoutURI: recorder.url,
      },
      { ...other, redirectURIs: ['http://localhost:4001/callback'] },
    ],
  });
});
afterAll(async () => {
  await sandbox?.stop();
  await recorder?.stop();
});

const endpoint = (path: string) => `${sandbox.issuer}/connect/${path}`;

function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(endpoint(path), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
}

/** The sandbox's authorize URL for the test client, with `params` added. */
function authorizeURL(params: Record<string, string> = {}): string {
  const url = new URL(endpoint('authorize'));
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientID,
    redirect_uri: SANDBOX_REDIRECT_URI,
    scope: 'openid',
    state: 'state-of-this-sign-in',
    ...params,
  }).toString();
  return url.href;
}

/** alice signed in on `jar` (a browser's sandbox cookies): her tokens. */
async function signInAlice(jar = new CookieJar()) {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const callback = await signIn({
    agent: appRedirectingTo(authorizeURL({ code_challenge: challenge, code_challenge_method: 'S256' })),
    start: '/',
    cookies: jar,
    ...credentials(alice),
    followCallback: false,
  });
  const { status, body } = await redeemCode(
    { issuer: sandbox.issuer, ...client },
    { code: callback.searchParams.get('code') ?? '', verifier },
  );
  expect(status).toBe(200);
  return { jar, tokens: body as { access_token: string; refresh_token: string; id_token: string } };
}

const credentials = ({ companyId, username, password }: typeof alice) => ({ companyId, username, password });

function refresh(refreshToken: string, accessToken?: string) {
  return post(
    'token',
    { grant_type: 'refresh_token', refresh_token: refreshToken, ...form(client) },
    accessToken ? { authorization: `Bearer ${accessToken}` } : {},
  );
}

/** True when the sandbox asks `jar`'s browser for the password again (its JustLogin session ended). */
async function asksForPassword(jar: CookieJar): Promise<boolean> {
  try {
    await signIn({
      agent: appRedirectingTo(authorizeURL()),
      start: '/',
      cookies: jar,
      ...credentials(alice),
      password: 'not-her-password',
      followCallback: false,
    });
    return false;
  } catch (error) {
    if (error instanceof SandboxSignInError && error.reason) return true;
    throw error;
  }
}

describe('revocation at connect/revocation', () => {
  it('is advertised, with back-channel logout', async () => {
    const discovery = (await (await fetch(`${sandbox.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery).toMatchObject({
      revocation_endpoint: endpoint('revocation'),
      end_session_endpoint: endpoint('endsession'),
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
  });

  it('revokes a refresh token: a later refresh gets invalid_grant and its JWT access token fails at the API', async () => {
    const { tokens } = await signInAlice();
    expect((await fetch(`${sandbox.origin}/membership/v3/users?limit=1`, bearer(tokens.access_token))).status).toBe(
      200,
    );
    const revoked = await post('revocation', {
      token: tokens.refresh_token,
      token_type_hint: 'refresh_token',
      ...form(client),
    });
    expect(revoked.status).toBe(200);
    const again = await refresh(tokens.refresh_token, tokens.access_token);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
    const api = await fetch(`${sandbox.origin}/membership/v3/users?limit=1`, bearer(tokens.access_token));
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it("answers 200 to another client's token and leaves it valid, and 400 unsupported_token_type to a JWT access token", async () => {
    const { tokens } = await signInAlice();
    const foreign = await post('revocation', { token: tokens.refresh_token, ...form(other) });
    expect(foreign.status).toBe(200);
    const jwt = await post('revocation', {
      token: tokens.access_token,
      token_type_hint: 'access_token',
      ...form(client),
    });
    expect(jwt.status).toBe(400);
    expect(await jwt.json()).toMatchObject({ error: 'unsupported_token_type' });
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });
});

describe('end session at connect/endsession', () => {
  it('with a valid id_token_hint: ends the session at once and returns to post_logout_redirect_uri with the state; the refresh token lives on', async () => {
    const { jar, tokens } = await signInAlice();
    const url = new URL(endpoint('endsession'));
    url.search = new URLSearchParams({
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: HOME,
      state: 'sign-out-state',
    }).toString();
    const ended = await followEndSession(url.href, jar);
    expect(ended.leftTo?.href).toBe(`${HOME}?state=sign-out-state`);
    expect(await asksForPassword(jar)).toBe(true);
    // As at IdentityServer, the refresh token outlives the browser session: only revoking it ends it.
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it('without an id_token_hint: asks, signs out, and stays on its own page, whatever post_logout_redirect_uri says', async () => {
    const { jar } = await signInAlice();
    const url = new URL(endpoint('endsession'));
    url.search = new URLSearchParams({
      client_id: client.clientID,
      post_logout_redirect_uri: HOME,
      state: 'sign-out-state',
    }).toString();
    const ended = await followEndSession(url.href, jar);
    expect(ended.leftTo).toBeUndefined();
    expect(ended.status).toBe(200);
    expect(ended.html).toContain('You are signed out of JustLogin');
    expect(await asksForPassword(jar)).toBe(true);
  });

  it("honours a page among the client's postLogoutRedirectURIs, and no page it did not register", async () => {
    const { jar, tokens } = await signInAlice();
    const url = new URL(endpoint('endsession'));
    url.search = new URLSearchParams({
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: SIGNED_OUT,
    }).toString();
    expect((await followEndSession(url.href, jar)).leftTo?.href).toBe(SIGNED_OUT);
    const other = await signInAlice();
    url.search = new URLSearchParams({
      id_token_hint: other.tokens.id_token,
      post_logout_redirect_uri: 'http://localhost:3000/elsewhere',
    }).toString();
    const refused = await followEndSession(url.href, other.jar);
    expect(refused.leftTo).toBeUndefined();
    expect(refused.status).toBe(400);
  });

  it('refuses a forged id_token_hint', async () => {
    const { jar, tokens } = await signInAlice();
    const [header, payload] = tokens.id_token.split('.');
    const url = new URL(endpoint('endsession'));
    url.search = new URLSearchParams({
      id_token_hint: `${header}.${payload}.${'A'.repeat(342)}`,
      post_logout_redirect_uri: HOME,
    }).toString();
    const ended = await followEndSession(url.href, jar);
    expect(ended.leftTo).toBeUndefined();
    expect(ended.status).toBe(400);
    expect(await asksForPassword(jar)).toBe(false);
  });
});

describe('back-channel logout', () => {
  it("posts a logout token to the client's backchannelLogoutURI when its session ends", async () => {
    const { jar, tokens } = await signInAlice();
    const before = recorder.deliveries.length;
    const url = new URL(endpoint('endsession'));
    url.search = new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: HOME }).toString();
    await followEndSession(url.href, jar);
    const [delivery] = (await recorder.waitFor(before + 1)).slice(before);
    expect(delivery.contentType).toBe('application/x-www-form-urlencoded');
    const token = delivery.logoutToken!;
    expect(decodeProtectedHeader(token).typ).toBe('logout+jwt');
    const jwks = createRemoteJWKSet(new URL(`${sandbox.issuer}/.well-known/openid-configuration/jwks`));
    const { payload } = await jwtVerify(token, jwks, { issuer: sandbox.issuer, audience: client.clientID });
    const idToken = (await jwtVerify(tokens.id_token, jwks)).payload;
    expect(payload).toMatchObject({ sub: alice.claims.sub, sid: idToken.sid, events: { [EVENT]: {} } });
    expect(typeof payload.jti).toBe('string');
    expect(payload.nonce).toBeUndefined();
  });

  it('signs a user out everywhere: every session ends, every grant is revoked, one token per client names the user only', async () => {
    const first = await signInAlice();
    const second = await signInAlice();
    const before = recorder.deliveries.length;
    const result = await sandbox.signOutEverywhere(credentials(alice));
    expect(result.sessions).toBeGreaterThanOrEqual(2);
    expect(result.notified).toEqual([{ clientID: client.clientID, status: 200 }]);
    const [delivery] = (await recorder.waitFor(before + 1)).slice(before);
    expect(recorder.deliveries).toHaveLength(before + 1);
    const jwks = createRemoteJWKSet(new URL(`${sandbox.issuer}/.well-known/openid-configuration/jwks`));
    const { payload } = await jwtVerify(delivery.logoutToken!, jwks, {
      issuer: sandbox.issuer,
      audience: client.clientID,
    });
    expect(payload).toMatchObject({ sub: alice.claims.sub, events: { [EVENT]: {} } });
    expect(payload.sid).toBeUndefined();
    expect(await asksForPassword(first.jar)).toBe(true);
    expect(await asksForPassword(second.jar)).toBe(true);
    expect((await refresh(first.tokens.refresh_token)).status).toBe(400);
    expect((await refresh(second.tokens.refresh_token)).status).toBe(400);
  });

  it('serves a page that signs a user out everywhere, for demos', async () => {
    const page = await fetch(`${sandbox.origin}/_sandbox/sign-out`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="username"');
    const done = await fetch(`${sandbox.origin}/_sandbox/sign-out`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(credentials(alice)),
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('signed out everywhere');
  });

  it('refuses an unknown user', async () => {
    await expect(sandbox.signOutEverywhere({ companyId: 'ACME', username: 'nobody' })).rejects.toThrow(/no such user/);
  });
});

describe('the command', () => {
  it('takes --backchannel-logout <id>=<uri> and prints it with the client', async () => {
    const command = runCommand([
      '--port',
      '0',
      '--client',
      `demo-client:demo-secret:${SANDBOX_REDIRECT_URI}`,
      '--backchannel-logout',
      `demo-client=${recorder.url}`,
    ]);
    try {
      const [line] = await command.waitFor(/client demo-client.*\n/);
      expect(line).toContain(`back-channel logout: ${recorder.url}`);
    } finally {
      await stopCommand(command);
    }
  });

  it('refuses --backchannel-logout for an unknown client or without a URL', async () => {
    for (const value of ['nobody=http://127.0.0.1:1/x', 'demo-client=not-a-url']) {
      const command = runCommand(['--port', '0', '--backchannel-logout', value]);
      expect(await command.exited).toBe(2);
      expect(command.output().stderr).toMatch(/--backchannel-logout/);
    }
  });
});

function bearer(accessToken: string): RequestInit {
  return { headers: { authorization: `Bearer ${accessToken}` } };
}
