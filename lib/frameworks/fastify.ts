/**
 * `passport-justlogin/fastify`: token renewal for Fastify routes (keepTokensFreshFastify), and the
 * Express-style request and reply that Passport's own middleware (as @nestjs/passport calls it)
 * expects, on a Fastify instance (passportOnFastify).
 *
 * @module passport-justlogin/fastify
 */
import type { JustLoginRefresher } from '../renewal/refresher';
import { tokenRenewal, type ReauthenticationError, type TokenAccess } from '../renewal/request-renewal';

/**
 * The part of a Fastify reply the default `onReauthenticate` uses: `reply.code(401).send(…)`.
 *
 * @group Frameworks
 */
export interface FastifyReplyLike {
  /** Sets the status code. */
  code(statusCode: number): {
    /** Sends the body. */
    send(payload?: unknown): unknown;
  };
}

/**
 * Options of {@link keepTokensFreshFastify}. `Request` and `Reply` are the
 * app's request and reply types: name them on a callback's parameter, e.g.
 * `get: (request: FastifyRequest) => request.user?.tokens`.
 *
 * @group Frameworks
 */
export interface KeepTokensFreshFastifyOptions<
  Request extends object = object,
  Reply = FastifyReplyLike,
> extends TokenAccess<Request> {
  /**
   * Answers instead of the route when the user must sign in again (JustLogin
   * refused the refresh token, there is none, or a renewed id_token failed its
   * checks). Default: `request.logOut()` when Passport provides it, then HTTP
   * 401 `{ "error": "reauthentication_required" }`.
   */
  onReauthenticate?: (request: Request, reply: Reply, error: ReauthenticationError) => unknown;
}

/**
 * A Fastify `preHandler` hook that renews the request's JustLogin tokens
 * before the route runs when they are about to expire, as `keepTokensFresh`
 * does for Express: concurrent requests share one refresh, older tokens are
 * never written over newer ones, a user who must sign in again gets
 * `onReauthenticate`, and any other failure (timeout, network, `5xx`; see
 * `err.retryable`) is thrown to Fastify's error handler, so a route never
 * runs with dead tokens. Throws a `JustLoginOptionsError`
 * listing every option that is missing, unknown or invalid.
 *
 * @example
 * app.addHook('preHandler', keepTokensFreshFastify(refresher, {
 *   get: (request) => request.user?.tokens,
 *   set: (request, tokens) => { request.user.tokens = tokens; request.session.touch(); },
 * }));
 *
 * @group Frameworks
 */
export function keepTokensFreshFastify<Request extends object = object, Reply extends object = FastifyReplyLike>(
  refresher: Pick<JustLoginRefresher, 'ensureFresh'>,
  options: KeepTokensFreshFastifyOptions<Request, Reply>,
): (request: Request, reply: Reply) => Promise<Reply | undefined> {
  const { renew, onReauthenticate = signOut } = tokenRenewal('keepTokensFreshFastify', refresher, options);
  return async (request, reply) => {
    const reauthenticate = await renew(request);
    if (!reauthenticate) return undefined;
    await onReauthenticate(request, reply, reauthenticate);
    return reply; // Fastify's way for an async hook to say it answered
  };
}

/** A logout that returns a promise (@fastify/passport) or takes a callback (Passport's, as `passportOnFastify` runs it). */
type Logout = (done: (err?: unknown) => void) => unknown;

async function signOut(request: { logOut?: Logout }, reply: object): Promise<void> {
  const { logOut } = request;
  if (typeof logOut === 'function') {
    // Settles with the logout's error, or undefined once the user is signed out.
    const failure = await new Promise<unknown>((settle) => {
      const result = logOut.call(request, settle);
      if (result instanceof Promise) result.then(() => settle(undefined), settle);
    });
    if (failure) throw failure as Error;
  }
  await (reply as FastifyReplyLike).code(401).send({ error: 'reauthentication_required' });
}

/**
 * The part of a Fastify instance {@link passportOnFastify} uses.
 *
 * @group Frameworks
 */
export interface FastifyInstanceLike {
  /** Adds a hook; {@link passportOnFastify} adds an `onRequest` hook. */
  addHook(name: 'onRequest', hook: (request: never, reply: never, done: (err?: Error) => void) => void): unknown;
}

/**
 * Passport's own middleware, e.g. `passport.session()`.
 *
 * @inline
 */
type PassportMiddleware = (req: never, res: never, next: (err?: unknown) => void) => void;

/**
 * Options of {@link passportOnFastify}.
 *
 * @group Frameworks
 */
export interface PassportOnFastifyOptions {
  /**
   * The Passport instance the strategies are registered on (for NestJS, the
   * `passport` package's default one): its `session()` then restores the
   * signed-in user (`request.user`, `request.isAuthenticated()`) from the
   * session before every route.
   */
  passport?: {
    /** Passport's session middleware. */
    session(): PassportMiddleware;
  };
}

/** The Fastify reply, with what Passport calls on Express's response. */
interface ReplyWithExpressMethods {
  header(name: string, value: unknown): unknown;
  removeHeader(name: string): unknown;
  send(payload?: unknown): unknown;
  setHeader?: (name: string, value: unknown) => void;
  end?: (payload?: unknown) => void;
}

/** A session of @fastify/secure-session: `regenerate()` without a callback, no `save`. */
interface CallbacklessSession {
  regenerate?: (fields?: unknown) => unknown;
  save?: unknown;
}

/**
 * Lets Passport's own middleware (`passport.authenticate(…)`, as
 * `@nestjs/passport`'s `AuthGuard` calls it, and `passport.session()`) run
 * on a Fastify instance, e.g. NestJS on `@nestjs/platform-fastify`. Adds an
 * `onRequest` hook that gives each reply Express's `setHeader(name, value)` and
 * `end(body)`, both through Fastify's reply so that its hooks (the session
 * cookie) still run; sets `request.res` to the reply (where `CookieStateStore`
 * sets its cookie); and, with `@fastify/secure-session`, gives the session the
 * `regenerate(callback)` and `save(callback)` that Passport's login and
 * logout call. Call it after registering the session plugin.
 *
 * @example
 * const fastify = app.getHttpAdapter().getInstance();
 * await app.register(secureSession, { key, cookie: { path: '/', httpOnly: true, sameSite: 'lax' } });
 * passportOnFastify(fastify, { passport });
 *
 * @group Frameworks
 */
export function passportOnFastify(fastify: FastifyInstanceLike, options: PassportOnFastifyOptions = {}): void {
  const restoreUser = options.passport?.session();
  fastify.addHook('onRequest', (request: Record<string, unknown>, reply: ReplyWithExpressMethods, done) => {
    reply.setHeader = (name, value) => {
      reply.removeHeader(name); // Fastify's header() adds to a Set-Cookie already there: Express's setHeader replaces it
      reply.header(name, value);
    };
    reply.end = (payload) => {
      reply.send(payload);
    };
    request.res = reply;
    const session = request.session as CallbacklessSession | undefined;
    if (session && typeof session.regenerate === 'function' && session.save === undefined) {
      request.session = withCallbacks(session);
    }
    if (restoreUser) restoreUser(request as never, reply as never, (err) => done(err as Error | undefined));
    else done();
  });
}

/** `session` whose `regenerate(callback)` and `save(callback)` call back, as express-session's do. */
function withCallbacks(session: CallbacklessSession): object {
  const regenerate = (callback?: (err?: unknown) => void) => {
    session.regenerate?.();
    callback?.();
  };
  const save = (callback?: (err?: unknown) => void) => callback?.();
  return new Proxy(session, {
    get: (target, name, receiver): unknown =>
      name === 'regenerate' ? regenerate : name === 'save' ? save : Reflect.get(target, name, receiver),
  });
}

export { signOutHandlerFastify, postLogoutHandlerFastify } from './fastify-sign-out';
export type { FastifySignOutReplyLike } from './fastify-sign-out';
