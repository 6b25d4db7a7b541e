// The Fastify and Koa examples sign out through the package's handlers: POST /logout revokes the
// refresh token and sends the browser to the sandbox's end-session endpoint, which sends it back to
// /auth/signed-out, where the state is checked; the app's session is gone. (The Express example's
// sign-out is in test/example-app.test.ts and test/sign-out/back-channel.test.ts.)
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { CookieJar, signIn, startSandbox, type Sandbox } from 'justlogin-sandbox';
import { startExampleProcess } from '../support/example-process';
import { freePort } from '../support/free-port';
import { DEMO_USERS } from '../support/sandbox';
import { followEndSession } from '../support/sandbox-sign-out';

const alice = DEMO_USERS.find((user) => user.username === 'alice')!;
const credentials = { companyId: alice.companyId, username: alice.username, password: alice.password };

interface RunningExample {
  url: string;
  stop(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const koaExample = require('../../example-app/koa/app') as {
  createApp: (config: object) => { listen(port: number, host: string, ready: () => void): Server };
};

const examples: Array<[string, (justlogin: Record<string, string>, port: number) => Promise<RunningExample>]> = [
  [
    'Fastify',
    (justlogin, port) =>
      startExampleProcess(join(__dirname, '..', '..', 'example-app', 'fastify', 'main.js'), {
        JUSTLOGIN_CLIENT_ID: justlogin.clientID,
        JUSTLOGIN_CLIENT_SECRET: justlogin.clientSecret,
        JUSTLOGIN_CALLBACK_URL: justlogin.callbackURL,
        JUSTLOGIN_BASE_URL: justlogin.baseURL,
        SESSION_KEY: randomBytes(32).toString('hex'),
        HOST: '127.0.0.1',
        PORT: String(port),
      }),
  ],
  [
    'Koa',
    async (justlogin, port) => {
      const app = koaExample.createApp({ justlogin, keys: ['examples-sign-out-test-key'] });
      const server = await new Promise<Server>((resolve) => {
        const listening = app.listen(port, '127.0.0.1', () => resolve(listening));
      });
      return {
        url: `http://127.0.0.1:${port}`,
        stop: () => new Promise((resolve) => server.close(() => resolve())),
      };
    },
  ],
];

describe.each(examples)('the %s example', (_name, start) => {
  let sandbox: Sandbox;
  let example: RunningExample;

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
    });
    example = await start(
      {
        clientID: 'demo-client',
        clientSecret: 'demo-secret',
        callbackURL: `${origin}/auth/justlogin/callback`,
        baseURL: sandbox.origin,
      },
      port,
    );
  }, 40_000);
  afterAll(async () => {
    await example?.stop();
    await sandbox?.stop();
  });

  async function visit(jar: CookieJar, path: string, method = 'GET'): Promise<Response> {
    const target = new URL(path, example.url);
    const res = await fetch(target, { method, headers: { cookie: jar.header(target) }, redirect: 'manual' });
    jar.store(target, res);
    return res;
  }

  it('signs out through the sign-out handlers: the session ends, at the app and at JustLogin, and comes back', async () => {
    const jar = new CookieJar();
    await signIn({ start: `${example.url}/auth/justlogin`, cookies: jar, ...credentials });
    expect((await visit(jar, '/profile')).status).toBe(200);

    expect((await visit(jar, '/logout')).status).not.toBe(303); // a GET signs nobody out
    expect((await visit(jar, '/profile')).status).toBe(200);

    const signOut = await visit(jar, '/logout', 'POST');
    expect(signOut.status).toBe(303);
    const location = new URL(signOut.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(`${sandbox.issuer}/connect/endsession`);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${example.url}/auth/signed-out`);
    expect((await visit(jar, '/profile')).status).toBe(401);

    const ended = await followEndSession(location.href, jar);
    expect(ended.leftTo?.pathname).toBe('/auth/signed-out');
    const back = await visit(jar, `${ended.leftTo!.pathname}${ended.leftTo!.search}`);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/profile');
  });
});
