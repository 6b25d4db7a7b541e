// One table of the token shapes a JustLogin client may meet, driving the same scenarios: sign-in (the
// profile), renewal, the API and the example app, each against a sandbox issuing that shape. The first row
// is the sandbox's default, IdentityServer's: JWT access tokens and id_tokens of protocol claims only.
import type { Server } from 'node:http';
import session from 'express-session';
import { JustLoginApi, JustLoginClient, JustLoginOptionsError, JustLoginRefresher, identityOf } from '../lib';
import { ExampleBrowser, signInThroughSandbox } from './support/example-browser';
import { freePort } from './support/free-port';
import { DEMO_USERS, startSandbox, type RunningSandbox, type SandboxSettings } from './support/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createApp } = require('../example-app/app') as { createApp: (config: object) => import('express').Express };

const alice = DEMO_USERS.find((user) => user.username === 'alice')!;
const ALICE = {
  userGuid: alice.claims.UserGUID,
  companyGuid: alice.claims.CompanyGUID,
  companyName: alice.claims.CompanyName,
  roles: ['HR Admin', 'Manager'],
};

interface Shape {
  settings: SandboxSettings;
  /** What the profile knows of JustLogin's identity after sign-in. */
  identity: Partial<typeof ALICE>;
  /** Whether a renewal hands back the same refresh token. */
  reusesRefreshTokens: boolean;
}

const SHAPES: Array<[string, Shape]> = [
  [
    "IdentityServer's default (the sandbox's): JWT access token, protocol claims only in the id_token",
    { settings: {}, identity: ALICE, reusesRefreshTokens: false },
  ],
  [
    'JWT access token and every claim in the id_token too',
    { settings: { SANDBOX_ID_TOKEN_CLAIMS: 'all' }, identity: ALICE, reusesRefreshTokens: false },
  ],
  [
    'opaque access token, every claim in the id_token',
    {
      settings: { SANDBOX_ACCESS_TOKEN: 'opaque', SANDBOX_ID_TOKEN_CLAIMS: 'all' },
      identity: ALICE,
      reusesRefreshTokens: false,
    },
  ],
  [
    'opaque access token, protocol claims only: who signed in is known by sub alone',
    { settings: { SANDBOX_ACCESS_TOKEN: 'opaque' }, identity: { roles: [] }, reusesRefreshTokens: false },
  ],
  [
    "refresh tokens reused (Duende's default)",
    { settings: { SANDBOX_REFRESH_TOKENS: 'reuse' }, identity: ALICE, reusesRefreshTokens: true },
  ],
];

interface SignedInUser {
  profile: { id: string; userGuid?: string; companyGuid?: string; companyName?: string; roles: string[] };
  tokens: { accessToken: string; refreshToken: string; idToken?: string; tokenType: string; expiresAt: number };
}

describe.each(SHAPES)('%s', (_name, shape) => {
  let sandbox: RunningSandbox;
  let server: Server;
  let appURL: string;
  const store = new session.MemoryStore();
  const signedInUsers = () =>
    Object.values((store as unknown as { sessions: Record<string, string> }).sessions)
      .map((text) => (JSON.parse(text) as { passport?: { user?: SignedInUser } }).passport?.user)
      .filter((user): user is SignedInUser => user !== undefined);

  beforeAll(async () => {
    const port = await freePort();
    appURL = `http://localhost:${port}`;
    sandbox = await startSandbox({
      JUSTLOGIN_SANDBOX_REDIRECT_URIS: `${appURL}/auth/justlogin/callback`,
      ...shape.settings,
    });
    try {
      const app = createApp({
        justlogin: {
          clientID: sandbox.clientID,
          clientSecret: sandbox.clientSecret,
          callbackURL: `${appURL}/auth/justlogin/callback`,
          baseURL: sandbox.origin,
          verifyIdTokenSignature: true,
        },
        sessionSecret: 'token-shapes-test-session-secret',
        sessionStore: store,
      });
      server = await new Promise<Server>((resolve, reject) => {
        const listening = app.listen(port, '127.0.0.1', () => resolve(listening)).once('error', reject);
      });
    } catch (error) {
      await sandbox.stop();
      throw error;
    }
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await sandbox?.stop();
  });

  it('signs in, with the profile knowing what the tokens carry, and renews and calls the API', async () => {
    const browser = new ExampleBrowser();
    const page = await signInThroughSandbox(browser, `${appURL}/auth/justlogin`, alice);
    expect(page.status).toBe(200);
    const [user] = signedInUsers();
    expect(page.html).toContain(`Hello, ${shape.identity.userGuid ? 'Alice Tan' : user.profile.id}`);
    expect(user.profile).toMatchObject(shape.identity);
    if (!shape.identity.userGuid) expect(user.profile).not.toHaveProperty('userGuid');

    // Renewal: the refresher, built from the app's client settings, renews the session's tokens.
    const client = new JustLoginClient({
      clientID: sandbox.clientID,
      clientSecret: sandbox.clientSecret,
      baseURL: sandbox.origin,
      verifyIdTokenSignature: true,
    });
    const refresher = new JustLoginRefresher({ client });
    const renewed = await refresher.refresh(user.tokens);
    expect(renewed.accessToken).not.toBe(user.tokens.accessToken);
    expect(renewed.refreshToken === user.tokens.refreshToken).toBe(shape.reusesRefreshTokens);
    const again = await new JustLoginRefresher({ client }).refresh({
      refreshToken: renewed.refreshToken!,
      accessToken: renewed.accessToken,
    });
    expect(again.accessToken).not.toBe(renewed.accessToken);

    // The API, about the signed-in user, with the identity the tokens carry or the profile's.
    const api = new JustLoginApi({ refresher, tokens: again, identity: user.profile });
    if (shape.identity.userGuid) {
      expect(identityOf(again)?.userGuid ?? user.profile.userGuid).toBe(ALICE.userGuid);
      expect((await api.employees.me()).fullName).toBe('Alice Tan');
      expect((await api.leave.assignedLeaveTypes()).userGuid).toBe(ALICE.userGuid);
    } else {
      await expect(api.employees.me()).rejects.toThrow(JustLoginOptionsError);
    }
  });

  it("shows the example app's People page when whose data is known", async () => {
    const browser = new ExampleBrowser();
    await signInThroughSandbox(browser, `${appURL}/auth/justlogin`, alice);
    const people = await browser.open(`${appURL}/people`);
    if (shape.identity.userGuid) {
      expect(people.status).toBe(200);
      expect(people.html).toContain('People at Acme Corporation');
      expect(people.html).toMatch(/Basic pay<\/th><td><span class="amount">SGD\s[\d,]+\.\d\d</);
    } else {
      expect(people.status).toBe(500);
    }
  });
});
