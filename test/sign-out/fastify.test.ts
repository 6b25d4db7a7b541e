// Sign-out with Fastify (@fastify/passport): signOutHandlerFastify and postLogoutHandlerFastify on the
// sandbox. The sessions are the test's own, kept on the server with @fastify/secure-session's
// interface (`get`, `set`, `data`, `delete`, properties): @fastify/cookie cannot load under Jest.
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type preValidationHookHandler } from 'fastify';
import { JustLoginStrategy, toTokenSet } from '../../lib';
import { postLogoutHandlerFastify, signOutHandlerFastify } from '../../lib/frameworks/fastify';
import { describeSignOut } from '../support/sign-out-scenario';

type Data = Record<string | symbol, unknown>;

/**
 * The parts of @fastify/passport used here, required rather than imported: its types would change
 * Fastify's request type for every test compiled with this one.
 */
interface AuthenticatorLike {
  use(name: string, strategy: unknown): void;
  registerUserSerializer(serialize: (user: unknown) => Promise<unknown>): void;
  registerUserDeserializer(deserialize: (user: unknown) => Promise<unknown>): void;
  initialize(): Parameters<FastifyInstance['register']>[0];
  secureSession(): Parameters<FastifyInstance['register']>[0];
  authenticate(name: string, options?: object): preValidationHookHandler;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Authenticator } = require('@fastify/passport') as { Authenticator: new () => AuthenticatorLike };

/** Sessions in `store` by the id in the `test.sid` cookie. */
function serverSessions(app: FastifyInstance, store: Map<string, Data>): void {
  app.decorateRequest('session', null as never);
  const state = new WeakMap<object, { id?: string; data: Data; changed: boolean; deleted: boolean }>();
  app.addHook('onRequest', (request, _reply, done) => {
    const cookie = /(?:^|;\s*)test\.sid=([\w-]+)/.exec(request.headers.cookie ?? '')?.[1];
    const id = cookie !== undefined && store.has(cookie) ? cookie : undefined;
    const current = { id, data: { ...(id ? store.get(id) : {}) }, changed: false, deleted: false };
    state.set(request, current);
    const methods: Data = {
      get: (key: string) => current.data[key],
      set: (key: string, value: unknown) => {
        if (value === undefined) delete current.data[key];
        else current.data[key] = value;
        current.changed = true;
      },
      data: () => ({ ...current.data }),
      delete: () => {
        if (current.id) store.delete(current.id);
        current.deleted = true;
      },
    };
    (request as unknown as { session: Data }).session = new Proxy(current.data, {
      get: (data, key) => (key === 'sessionId' ? current.id : key in methods ? methods[key] : data[key]),
      set: (data, key, value) => {
        data[key] = value;
        current.changed = true;
        return true;
      },
      deleteProperty: (data, key) => {
        delete data[key];
        current.changed = true;
        return true;
      },
    });
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const current = state.get(request)!;
    if (current.deleted) {
      reply.header('set-cookie', 'test.sid=; Max-Age=0; Path=/; HttpOnly');
    } else if (current.changed) {
      current.id ??= randomBytes(16).toString('hex');
      store.set(current.id, current.data);
      reply.header('set-cookie', `test.sid=${current.id}; Path=/; HttpOnly; SameSite=Lax`);
    }
    done(null, payload);
  });
}

describeSignOut('Fastify', async ({ port, url, client, refresher, postLogoutRedirectURI, signedIn, logger }) => {
  const store = new Map<string, Data>();
  const app = Fastify();
  const passport = new Authenticator();
  passport.use(
    'justlogin',
    new JustLoginStrategy(
      { client, callbackURL: `${url}/auth/justlogin/callback` },
      (accessToken, refreshToken, params, profile, done) => {
        const tokens = toTokenSet(accessToken, refreshToken, params);
        signedIn(tokens);
        done(null, { id: profile.id, tokens });
      },
    ),
  );
  passport.registerUserSerializer((user) => Promise.resolve(user));
  passport.registerUserDeserializer((user) => Promise.resolve(user));
  serverSessions(app, store);
  await app.register(passport.initialize());
  await app.register(passport.secureSession());
  app.get('/auth/justlogin', { preValidation: passport.authenticate('justlogin') }, () => Promise.resolve());
  app.get(
    '/auth/justlogin/callback',
    { preValidation: passport.authenticate('justlogin', { successRedirect: '/profile' }) },
    () => Promise.resolve(),
  );
  app.get('/profile', (request, reply) => reply.code((request as { user?: unknown }).user ? 200 : 401).send({}));
  app.route({
    method: ['GET', 'POST'],
    url: '/logout',
    handler: signOutHandlerFastify({ refresher, postLogoutRedirectURI, logger }),
  });
  app.get('/auth/signed-out', postLogoutHandlerFastify({ returnTo: '/?signed-out=1' }));
  await app.listen({ port, host: '127.0.0.1' });
  return { stop: () => app.close(), storedSessions: () => Promise.resolve(store.size) };
});
