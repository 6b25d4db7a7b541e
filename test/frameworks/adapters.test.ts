// keepTokensFreshFastify and keepTokensFreshKoa in Fastify and Koa apps of their own against a
// recording token endpoint, and passportOnFastify running Passport's own middleware with a
// CookieStateStore on Fastify against the sandbox (the examples' tests cover the rest).
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { signIn } from 'justlogin-sandbox';
import { Passport } from 'passport';
import request from 'supertest';
import { CookieStateStore } from '../../lib/sign-in/cookie-state-store';
import { JustLoginOptionsError } from '../../lib/errors';
import { keepTokensFreshFastify, passportOnFastify } from '../../lib/frameworks/fastify';
import { keepTokensFreshKoa } from '../../lib/frameworks/koa';
import { JustLoginRefresher } from '../../lib/renewal/refresher';
import { JustLoginStrategy } from '../../lib/sign-in/strategy';
import type { JustLoginTokenSet } from '../../lib/token-set';
import { freePort } from '../support/free-port';
import { DEMO_USERS, startSandbox } from '../support/sandbox';
import { TokenServer, tokenResponse } from '../support/token-server';

/** The part of Koa these tests use (Koa ships no types). */
interface KoaContext {
  status: number;
  body: unknown;
  redirect(url: string): void;
}
interface KoaApp {
  context: Record<string, unknown>;
  use(middleware: (ctx: KoaContext, next: () => Promise<void>) => unknown): void;
  callback(): import('node:http').RequestListener;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Koa = require('koa') as new () => KoaApp;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const expiredTokens = (): JustLoginTokenSet => ({
  accessToken: 'access-token-current',
  refreshToken: 'refresh-token-current',
  tokenType: 'Bearer',
  expiresAt: nowSeconds() - 10,
});

let server: TokenServer;
let refresher: JustLoginRefresher;

beforeEach(async () => {
  server = await TokenServer.start();
  refresher = new JustLoginRefresher({
    clientID: 'client-id',
    clientSecret: 'client-secret-value',
    tokenURL: server.url,
  });
});
afterEach(async () => {
  await server.stop();
});

/** Tokens of one signed-in user, kept by the test as a session store would. */
function tokenStore(initial: JustLoginTokenSet) {
  let tokens: JustLoginTokenSet | undefined = initial;
  return {
    get: () => tokens,
    set: (_: unknown, next: JustLoginTokenSet) => void (tokens = next),
    current: () => tokens,
  };
}

describe.each([
  ['keepTokensFreshFastify', keepTokensFreshFastify],
  ['keepTokensFreshKoa', keepTokensFreshKoa],
] as const)('%s', (name, adapter) => {
  it('reports every bad option at once, naming itself', () => {
    const build = adapter as (refresher: unknown, options: unknown) => unknown;
    let error: unknown;
    try {
      build(refresher, { get: () => undefined, set: 'tokens', skewMS: 30_000 });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(JustLoginOptionsError);
    expect((error as JustLoginOptionsError).problems).toEqual([
      '`skewMS` is not an option; did you mean `skewMs`?',
      '`set` must be a function',
    ]);
    expect((error as Error).message).toContain(`${name} options are invalid`);
    expect(() => build({}, { get: () => undefined, set: () => undefined })).toThrow(
      new RegExp(`\`refresher\` must have a method \`ensureFresh\` \\(${name}\\)`),
    );
  });
});

describe('keepTokensFreshFastify in a Fastify app', () => {
  const apps: Array<{ close(): Promise<unknown> }> = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  /** GET `path` from `app`, listening on a free port (Fastify's inject loads an ES module Jest cannot). */
  async function get(app: FastifyInstance, path: string) {
    apps.push(app);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return request(url).get(path).redirects(0);
  }

  function appWith(options: Partial<Parameters<typeof keepTokensFreshFastify<FastifyRequest, FastifyReply>>[1]>) {
    const store = tokenStore(expiredTokens());
    const app = Fastify();
    app.addHook('preHandler', keepTokensFreshFastify(refresher, { get: store.get, set: store.set, ...options }));
    app.get('/api', () => Promise.resolve({ accessToken: store.current()?.accessToken }));
    app.setErrorHandler((err: { code?: string }, _request, reply) => reply.code(502).send({ code: err.code }));
    return { app, store };
  }

  it('renews due tokens before the route', async () => {
    server.reply({ body: tokenResponse({ access_token: 'access-token-new', refresh_token: 'refresh-token-new' }) });
    const { app } = appWith({});
    const answer = await get(app, '/api');
    expect(answer.body).toEqual({ accessToken: 'access-token-new' });
    expect(server.requests).toHaveLength(1);
  });

  it('answers 401 after a logout that returns a promise (@fastify/passport) when the refresh token is refused', async () => {
    server.reply({ status: 400, body: { error: 'invalid_grant' } });
    const logOut = jest.fn(() => Promise.resolve());
    const { app } = appWith({});
    app.decorateRequest('logOut', logOut);
    const answer = await get(app, '/api');
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'reauthentication_required' });
    expect(logOut).toHaveBeenCalledTimes(1);
  });

  it("passes the error of a logout that takes a callback (Passport's) to the error handler", async () => {
    server.reply({ status: 400, body: { error: 'invalid_grant' } });
    const { app } = appWith({});
    app.decorateRequest('logOut', function (done: (err?: unknown) => void) {
      done(Object.assign(new Error('the session store failed'), { code: 'ESESSION' }));
    });
    const answer = await get(app, '/api');
    expect(answer.status).toBe(502);
    expect(answer.body).toEqual({ code: 'ESESSION' });
  });

  it('calls onReauthenticate instead, when given, and the route does not run', async () => {
    server.reply({ status: 400, body: { error: 'invalid_grant' } });
    const { app } = appWith({
      onReauthenticate: (_request, reply, error) => reply.redirect(`/signed-out?code=${error.code}`),
    });
    const answer = await get(app, '/api');
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('/signed-out?code=invalid_grant');
  });

  it('throws any other failure to the error handler and keeps the tokens', async () => {
    server.reply({ status: 503, body: { error: 'temporarily_unavailable' } });
    const { app, store } = appWith({});
    const answer = await get(app, '/api');
    expect(answer.status).toBe(502);
    expect(answer.body).toEqual({ code: 'temporarily_unavailable' });
    expect(store.current()?.accessToken).toBe('access-token-current');
  });
});

describe('keepTokensFreshKoa in a Koa app', () => {
  function appWith(options: Partial<Parameters<typeof keepTokensFreshKoa<KoaContext>>[1]>, logout?: () => unknown) {
    const store = tokenStore(expiredTokens());
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        ctx.status = 502;
        ctx.body = { code: (err as { code?: string }).code };
      }
    });
    if (logout) app.context.logout = logout;
    app.use(keepTokensFreshKoa(refresher, { get: store.get, set: store.set, ...options }));
    app.use((ctx) => {
      ctx.body = { accessToken: store.current()?.accessToken };
    });
    return { app, store };
  }

  it('renews due tokens before the next middleware', async () => {
    server.reply({ body: tokenResponse({ access_token: 'access-token-new', refresh_token: 'refresh-token-new' }) });
    const { app } = appWith({});
    const answer = await request(app.callback()).get('/');
    expect(answer.body).toEqual({ accessToken: 'access-token-new' });
  });

  it("answers 401 after koa-passport's ctx.logout() when the refresh token is refused", async () => {
    server.reply({ status: 400, body: { error: 'invalid_grant' } });
    const logout = jest.fn(() => Promise.resolve());
    const { app } = appWith({}, logout);
    const answer = await request(app.callback()).get('/');
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'reauthentication_required' });
    expect(logout).toHaveBeenCalledTimes(1);
  });

  it('calls onReauthenticate instead, when given', async () => {
    const { app } = appWith({
      get: () => ({ accessToken: 'a', tokenType: 'Bearer', expiresAt: nowSeconds() - 10 }),
      onReauthenticate: (ctx, error) => ctx.redirect(`/signed-out?code=${error.code}`),
    });
    const answer = await request(app.callback()).get('/');
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('/signed-out?code=ENOREFRESHTOKEN');
    expect(server.requests).toHaveLength(0);
  });

  it('throws any other failure to the app and keeps the tokens', async () => {
    server.reply({ status: 503, body: { error: 'temporarily_unavailable' } });
    const { app, store } = appWith({});
    const answer = await request(app.callback()).get('/');
    expect(answer.status).toBe(502);
    expect(answer.body).toEqual({ code: 'temporarily_unavailable' });
    expect(store.current()?.accessToken).toBe('access-token-current');
  });
});

describe('passportOnFastify', () => {
  it("runs Passport's own authenticate on Fastify: redirect, CookieStateStore's cookie on request.res, the callback", async () => {
    const port = await freePort();
    const callbackURL = `http://localhost:${port}/auth/justlogin/callback`;
    const sandbox = await startSandbox({ JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL });
    const app = Fastify();
    try {
      const passport = new Passport();
      passport.use(
        new JustLoginStrategy(
          {
            clientID: sandbox.clientID,
            clientSecret: sandbox.clientSecret,
            callbackURL,
            baseURL: sandbox.origin,
            store: new CookieStateStore({ secret: 'a state cookie secret of 32 characters', secure: false }),
          },
          (_accessToken, _refreshToken, _params, profile, done) => done(null, { id: profile.id }),
        ),
      );
      passportOnFastify(app);
      // As @nestjs/passport's AuthGuard calls Passport: Fastify's request and reply, a callback.
      const authenticate = (request: FastifyRequest, reply: FastifyReply) =>
        new Promise<void>((resolve, reject) => {
          const middleware = passport.authenticate('justlogin', { session: false }, (err: unknown, user: unknown) => {
            if (err) reject(asError(err));
            else resolve(void reply.send({ user }));
          }) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
          middleware(request, reply, (err) => (err ? reject(asError(err)) : resolve()));
          if (reply.sent) resolve();
        });
      app.get('/auth/justlogin', async (request, reply) => {
        await authenticate(request, reply);
        return reply;
      });
      app.get('/auth/justlogin/callback', async (request, reply) => {
        await authenticate(request, reply);
        return reply;
      });
      await app.listen({ port, host: '127.0.0.1' });

      // The sign-in, up to the callback URL; the app's one answer (its sign-in route's) is kept.
      const answers: request.Response[] = [];
      const browser = {
        get: async (path: string) => {
          const res = await request(`http://127.0.0.1:${port}`).get(path);
          answers.push(res);
          return res;
        },
      };
      const callback = await signIn({
        agent: browser,
        start: '/auth/justlogin',
        ...DEMO_USERS[0],
        followCallback: false,
      });
      const [start] = answers;
      expect(answers).toHaveLength(1);
      expect(start.status).toBe(302);
      expect(start.headers.location).toMatch(`${sandbox.issuer}/connect/authorize?`);
      const setCookies = ([] as string[]).concat(start.headers['set-cookie'] ?? []);
      expect(setCookies).toEqual([expect.stringMatching(/^justlogin_state=[^;]+; .*Path=\/auth\/justlogin\/callback/)]);

      const done = await request(`http://127.0.0.1:${port}`)
        .get(callback.pathname + callback.search)
        .set('cookie', setCookies[0].split(';')[0]);
      expect(done.status).toBe(200);
      expect(done.body).toEqual({ user: { id: DEMO_USERS[0].claims.sub } });
      // The state cookie is cleared once used, in the one Set-Cookie header Fastify sent.
      expect(([] as string[]).concat(done.headers['set-cookie'] ?? [])).toEqual([
        expect.stringMatching(/^justlogin_state=; Max-Age=0; /),
      ]);
    } finally {
      await app.close();
      await sandbox.stop();
    }
  });
});

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
