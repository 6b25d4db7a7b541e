// The NestJS examples (example-app/nest on Express, example-app/nest-fastify on Fastify) sign out through
// JustLoginSignOut: POST /auth/sign-out revokes the refresh token, ends the session and sends the browser to
// the sandbox's end-session endpoint with a state, which /auth/signed-out checks on the way back.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CookieJar, SandboxSignInError, signIn, startSandbox, type Sandbox } from 'justlogin-sandbox';
import { startExampleProcess, type ExampleProcess } from '../support/example-process';
import { freePort } from '../support/free-port';
import { DEMO_USERS } from '../support/sandbox';
import { followEndSession } from '../support/sandbox-sign-out';

const alice = DEMO_USERS.find((user) => user.username === 'alice')!;
const credentials = { companyId: alice.companyId, username: alice.username, password: alice.password };
const EXAMPLES = join(__dirname, '..', '..', 'example-app');

const examples: Array<[string, string, Record<string, string>]> = [
  ['Express', join(EXAMPLES, 'nest', 'dist', 'main.js'), { SESSION_SECRET: 'nest-sign-out-test-secret' }],
  ['Fastify', join(EXAMPLES, 'nest-fastify', 'dist', 'main.js'), { SESSION_KEY: randomBytes(32).toString('hex') }],
];

describe.each(examples)('the NestJS example on %s', (adapter, main, session) => {
  let sandbox: Sandbox;
  let example: ExampleProcess;

  beforeAll(async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    sandbox = await startSandbox({
      clients: [
        {
          clientID: 'demo-client',
          clientSecret: 'demo-secret',
          redirectURIs: [`${origin}/auth/justlogin/callback`],
          postLogoutRedirectURIs: [`${origin}/auth/signed-out`],
        },
      ],
      // Less than the minute before expiry when SignedInGuard renews: every visit to /profile renews.
      accessTokenTTL: 30,
    });
    example = await startExampleProcess(main, {
      JUSTLOGIN_CLIENT_ID: 'demo-client',
      JUSTLOGIN_CLIENT_SECRET: 'demo-secret',
      JUSTLOGIN_CALLBACK_URL: `${origin}/auth/justlogin/callback`,
      JUSTLOGIN_BASE_URL: sandbox.origin,
      HOST: '127.0.0.1',
      PORT: String(port),
      ...session,
    }).catch(async (error: unknown) => {
      await sandbox.stop();
      throw error;
    });
  }, 60_000);
  afterAll(async () => {
    await example?.stop();
    await sandbox?.stop();
  });

  async function visit(jar: CookieJar | string, path: string, method = 'GET'): Promise<Response> {
    const target = new URL(path, example.url);
    const cookie = typeof jar === 'string' ? jar : jar.header(target);
    const res = await fetch(target, { method, headers: { cookie }, redirect: 'manual' });
    if (typeof jar !== 'string') jar.store(target, res);
    return res;
  }

  /** True when signing in to the app from `jar`'s browser asks for the password at the sandbox again. */
  async function asksForPassword(jar: CookieJar): Promise<boolean> {
    try {
      await signIn({ start: `${example.url}/auth/justlogin`, cookies: jar, ...credentials, password: 'wrong' });
      return false;
    } catch (error) {
      if (error instanceof SandboxSignInError && error.reason) return true;
      throw error;
    }
  }

  it('revokes the refresh token, ends the session here and at JustLogin, and checks the way back', async () => {
    const start = sandbox.tokenRequests.length;
    const jar = new CookieJar();
    await signIn({ start: `${example.url}/auth/justlogin`, cookies: jar, ...credentials });
    expect((await visit(jar, '/profile')).status).toBe(200);
    expect(await asksForPassword(jar)).toBe(false); // JustLogin's session lives: no password asked
    expect((await visit(jar, '/profile')).status).toBe(200);
    const copied = jar.header(example.url); // a copy of the session cookie, as a thief would keep it

    const signOut = await visit(jar, '/auth/sign-out', 'POST');
    expect(signOut.status).toBe(303);
    expect(signOut.headers.get('cache-control')).toBe('no-store');
    const location = new URL(signOut.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(`${sandbox.issuer}/connect/endsession`);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      client_id: 'demo-client',
      id_token_hint: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      post_logout_redirect_uri: `${example.url}/auth/signed-out`,
      state: expect.stringMatching(/^[\w-]{32}$/),
    });
    const profile = await visit(jar, '/profile');
    expect(profile.status).not.toBe(200);

    // The refresh token in the copied cookie is revoked: renewing it is refused, so the copy signs nobody in.
    // Two sign-ins and two renewals so far.
    const before = (await sandbox.waitForTokenRequests(start + 4)).length;
    const replayed = await visit(copied, '/profile');
    if (adapter === 'Fastify') {
      // The session lives in the cookie, so the copy still holds the tokens: only their revocation stops it.
      const renewals = (await sandbox.waitForTokenRequests(before + 1)).slice(before);
      expect(renewals.map(({ grantType, status }) => `${grantType} ${status}`)).toEqual(['refresh_token 400']);
    }
    expect(replayed.status).not.toBe(200);

    // A forged state is refused, and does not spoil the browser's own return.
    const forged = await visit(jar, '/auth/signed-out?state=forged-state-0123456789abcdefghij');
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: 'invalid_state' });

    const ended = await followEndSession(location.href, jar);
    expect(ended.leftTo?.href).toBe(`${example.url}/auth/signed-out?state=${location.searchParams.get('state')}`);
    const back = await visit(jar, `${ended.leftTo!.pathname}${ended.leftTo!.search}`);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/');
    const again = await visit(jar, `${ended.leftTo!.pathname}${ended.leftTo!.search}`);
    expect(again.status).toBe(400); // its cookie was cleared: the same return is refused
    expect(await asksForPassword(jar)).toBe(true);
  }, 60_000);

  it('signs nobody out on a GET', async () => {
    const jar = new CookieJar();
    const signedIn = sandbox.tokenRequests.length + 1;
    await signIn({ start: `${example.url}/auth/justlogin`, cookies: jar, ...credentials });
    const before = (await sandbox.waitForTokenRequests(signedIn)).length;
    expect((await visit(jar, '/auth/sign-out')).status).toBe(404);
    expect((await visit(jar, '/profile')).status).toBe(200);
    const renewals = (await sandbox.waitForTokenRequests(before + 1)).slice(before);
    expect(renewals.map(({ grantType, status }) => `${grantType} ${status}`)).toEqual(['refresh_token 200']);
  }, 30_000);
});
