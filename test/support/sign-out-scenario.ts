// What signing out does in every framework, on the JustLogin sandbox, driven over HTTP as a browser
// would (fetch, with the app's and the sandbox's cookies in one jar): the refresh token is revoked at
// the sandbox, JustLogin's session ends, the app's session is gone, a forged post-logout `state` is
// refused and a GET changes nothing.
import { CookieJar, SandboxSignInError, signIn, startSandbox, type Sandbox } from 'justlogin-sandbox';
import { JustLoginClient, JustLoginRefresher, type JustLoginTokenSet } from '../../lib';
import { freePort } from './free-port';
import { DEMO_USERS } from './sandbox';
import { followEndSession } from './sandbox-sign-out';

const alice = DEMO_USERS.find((user) => user.username === 'alice')!;
const credentials = { companyId: alice.companyId, username: alice.username, password: alice.password };

/** What a test app of a framework is made with. */
export interface SignOutAppSettings {
  port: number;
  /** The app's own URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** The client every part of the app shares, on the sandbox. */
  client: JustLoginClient;
  /** Its refresher. */
  refresher: JustLoginRefresher;
  /** The absolute URL of the app's post-logout route, `<url>/auth/signed-out`, registered with the sandbox. */
  postLogoutRedirectURI: string;
  /** Receives the tokens of each sign-in, as the app's verify callback gets them. */
  signedIn: (tokens: JustLoginTokenSet) => void;
  /** Where the sign-out reports its steps (nothing, when all goes well). */
  logger: { warn: jest.Mock };
}

/**
 * An app of the framework that signs in at `/auth/justlogin` (callback `/auth/justlogin/callback`,
 * then 302 to `/profile`), answers `/profile` 200 when signed in and 401 otherwise, signs out at
 * `/logout` with the framework's handler (mounted for every method) and comes back at
 * `/auth/signed-out` (returnTo `/?signed-out=1`); listening on `settings.port`.
 */
export type StartSignOutApp = (settings: SignOutAppSettings) => Promise<SignOutApp>;

/** A running test app. */
export interface SignOutApp {
  stop(): Promise<void>;
  /** How many sessions its store holds, when they are kept on the server. */
  storedSessions?(): Promise<number>;
}

/** Registers the sign-out tests of one framework's handlers. */
export function describeSignOut(framework: string, start: StartSignOutApp): void {
  let sandbox: Sandbox;
  let app: SignOutApp;
  let url: string;
  let client: JustLoginClient;
  const issued: JustLoginTokenSet[] = [];
  const logger = { warn: jest.fn() };

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    sandbox = await startSandbox({
      clients: [
        {
          clientID: 'demo-client',
          clientSecret: 'demo-secret',
          redirectURIs: [`${url}/auth/justlogin/callback`],
          postLogoutRedirectURIs: [`${url}/auth/signed-out`],
        },
      ],
    });
    client = new JustLoginClient({ clientID: 'demo-client', clientSecret: 'demo-secret', baseURL: sandbox.origin });
    app = await start({
      port,
      url,
      client,
      refresher: new JustLoginRefresher({ client }),
      postLogoutRedirectURI: `${url}/auth/signed-out`,
      signedIn: (tokens) => issued.push(tokens),
      logger,
    });
  }, 30_000);
  afterAll(async () => {
    await app?.stop();
    await sandbox?.stop();
  });

  /** fetch on the app with the jar's cookies, keeping what it sets; redirects not followed. */
  async function visit(jar: CookieJar, path: string, method = 'GET'): Promise<Response> {
    const target = new URL(path, url);
    const res = await fetch(target, { method, headers: { cookie: jar.header(target) }, redirect: 'manual' });
    jar.store(target, res);
    return res;
  }

  async function signedInBrowser(): Promise<{ jar: CookieJar; tokens: JustLoginTokenSet }> {
    const jar = new CookieJar();
    const done = await signIn({ start: `${url}/auth/justlogin`, cookies: jar, ...credentials });
    expect(done.status).toBe(302);
    expect((await visit(jar, '/profile')).status).toBe(200);
    return { jar, tokens: issued.at(-1)! };
  }

  /** True when signing in to the app from `jar`'s browser asks for the password at the sandbox again. */
  async function asksForPassword(jar: CookieJar): Promise<boolean> {
    try {
      await signIn({ start: `${url}/auth/justlogin`, cookies: jar, ...credentials, password: 'not-her-password' });
      return false;
    } catch (error) {
      if (error instanceof SandboxSignInError && error.reason) return true;
      throw error;
    }
  }

  describe(`sign-out with ${framework}`, () => {
    it('revokes the refresh token, ends the app session and JustLogin’s, and comes back to the app', async () => {
      const { jar, tokens } = await signedInBrowser();
      expect(await asksForPassword(jar)).toBe(false); // JustLogin's session lives: no password asked

      const signedIn = await signedInBrowser();
      const stored = await app.storedSessions?.();
      const signOut = await visit(signedIn.jar, '/logout', 'POST');
      expect(signOut.status).toBe(303);
      expect(signOut.headers.get('cache-control')).toBe('no-store');
      const location = new URL(signOut.headers.get('location')!);
      expect(location.origin + location.pathname).toBe(`${sandbox.issuer}/connect/endsession`);
      const state = location.searchParams.get('state');
      expect(Object.fromEntries(location.searchParams)).toEqual({
        client_id: 'demo-client',
        id_token_hint: signedIn.tokens.idToken,
        post_logout_redirect_uri: `${url}/auth/signed-out`,
        state: expect.stringMatching(/^[\w-]{32}$/),
      });

      // The refresh token is revoked at the sandbox; the app session is gone.
      const refresher = new JustLoginRefresher({
        client: new JustLoginClient({ clientID: 'demo-client', clientSecret: 'demo-secret', baseURL: sandbox.origin }),
      });
      await expect(refresher.refresh({ refreshToken: signedIn.tokens.refreshToken! })).rejects.toMatchObject({
        code: 'invalid_grant',
      });
      expect((await visit(signedIn.jar, '/profile')).status).toBe(401);
      if (stored !== undefined) expect(await app.storedSessions?.()).toBe(stored - 1);

      // A forged state is refused, and does not spoil the browser's own return.
      const forged = await visit(signedIn.jar, '/auth/signed-out?state=forged-state-0123456789abcdefghij');
      expect(forged.status).toBe(400);
      expect(await forged.json()).toMatchObject({ error: 'invalid_state' });

      // The browser at JustLogin: its session ends, it comes back with the state, and the app checks it.
      const ended = await followEndSession(location.href, signedIn.jar);
      expect(ended.leftTo?.href).toBe(`${url}/auth/signed-out?state=${state}`);
      const back = await visit(signedIn.jar, `${ended.leftTo!.pathname}${ended.leftTo!.search}`);
      expect(back.status).toBe(303);
      expect(back.headers.get('location')).toBe('/?signed-out=1');
      const again = await visit(signedIn.jar, `${ended.leftTo!.pathname}${ended.leftTo!.search}`);
      expect(again.status).toBe(400); // its cookie was cleared: the same return is refused
      expect(await asksForPassword(signedIn.jar)).toBe(true);

      // The other browser's tokens were not touched.
      await expect(refresher.refresh({ refreshToken: tokens.refreshToken! })).resolves.toMatchObject({
        tokenType: 'Bearer',
      });
      expect(logger.warn).not.toHaveBeenCalled();
    });

    it('does nothing on a GET', async () => {
      const { jar, tokens } = await signedInBrowser();
      const get = await visit(jar, '/logout');
      expect(get.status).toBe(405);
      expect(get.headers.get('allow')).toBe('POST');
      expect((await visit(jar, '/profile')).status).toBe(200);
      const refresher = new JustLoginRefresher({ client });
      await expect(refresher.refresh({ refreshToken: tokens.refreshToken! })).resolves.toMatchObject({
        tokenType: 'Bearer',
      });
    });

    it('signs out a browser that is not signed in, to JustLogin without an id_token_hint', async () => {
      const jar = new CookieJar();
      const signOut = await visit(jar, '/logout', 'POST');
      expect(signOut.status).toBe(303);
      const location = new URL(signOut.headers.get('location')!);
      expect(location.searchParams.has('id_token_hint')).toBe(false);
      expect(location.searchParams.get('client_id')).toBe('demo-client');
    });
  });
}
