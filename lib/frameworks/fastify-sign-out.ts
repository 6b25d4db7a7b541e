// Sign-out for Fastify (@fastify/passport, and NestJS on Fastify through passportOnFastify): the
// sign-out route and the page JustLogin sends the browser back to.
import { postLogoutReturn, type PostLogoutOptions } from '../sign-out/post-logout';
import { signOutFlow, type SignOutOptions } from '../sign-out/sign-out';
import type { JustLoginTokenSet } from '../token-set';

/**
 * The parts of a Fastify reply the handlers use.
 *
 * @group Sign-out
 */
export interface FastifySignOutReplyLike {
  /** Sets the status code. */
  code(statusCode: number): unknown;
  /** Sets a header (Fastify adds a `set-cookie` to those already set). */
  header(name: string, value: string): unknown;
  /** Sends the reply. */
  send(payload?: unknown): unknown;
}

/** What the Fastify handlers read of a request by default. */
interface FastifySignOutRequest {
  readonly method?: string;
  readonly url?: string;
  readonly headers: { readonly [name: string]: string | string[] | undefined };
  readonly query?: unknown;
  readonly user?: { tokens?: JustLoginTokenSet } | null;
  readonly session?: FastifySession | null;
  logOut?: (done: (err?: unknown) => void) => unknown;
}

/** @fastify/secure-session's session (`delete()`) or @fastify/session's (`destroy()`, `sessionId`). */
interface FastifySession {
  readonly sessionId?: string;
  delete?: () => unknown;
  destroy?: (done?: (err?: unknown) => void) => unknown;
}

/**
 * The sign-out route for Fastify, as `signOutHandler` is for Express: POST
 * only (any other method gets 405 and changes nothing); ends the Passport
 * login (`request.logOut()`) and the session (@fastify/secure-session's
 * `delete()`, @fastify/session's `destroy()`), then, best effort within
 * `timeoutMs`, revokes the refresh token, forgets its renewals, removes the
 * session from `sessions` and redirects (303) to JustLogin's end-session URL
 * with a `state` for {@link postLogoutHandlerFastify}, or to `returnTo`.
 * Throws a `JustLoginOptionsError` naming every option that is missing or invalid.
 *
 * @example
 * app.post('/logout', signOutHandlerFastify({ refresher, postLogoutRedirectURI: 'https://app.example.com/auth/signed-out' }));
 * app.get('/auth/signed-out', postLogoutHandlerFastify());
 *
 * @group Sign-out
 */
export function signOutHandlerFastify<
  Request extends object = object,
  Reply extends FastifySignOutReplyLike = FastifySignOutReplyLike,
>(options: SignOutOptions<Request>): (request: Request, reply: Reply) => Promise<Reply> {
  const signOut = signOutFlow<Request>('signOutHandlerFastify', options, {
    tokens: (request) => (request as FastifySignOutRequest).user?.tokens,
    sessionID: (request) => (request as FastifySignOutRequest).session?.sessionId,
  });
  return async (request, reply) => {
    if ((request as FastifySignOutRequest).method !== 'POST') {
      reply.code(405);
      reply.header('allow', 'POST');
      await reply.send({ error: 'method_not_allowed' });
      return reply;
    }
    const answer = await signOut(request, () => endFastifySession(request as FastifySignOutRequest));
    if (answer.setCookie) reply.header('set-cookie', answer.setCookie);
    reply.code(303);
    reply.header('location', answer.location);
    reply.header('cache-control', 'no-store');
    await reply.send();
    return reply;
  };
}

/**
 * The page JustLogin sends the browser back to after ending its session, as
 * `postLogoutHandler` is for Express: the `state` must be the one kept in this
 * browser's cookie, then 303 to `returnTo` (default `'/'`); otherwise 400
 * `{ "error": "invalid_state" }`.
 *
 * @example
 * app.get('/auth/signed-out', postLogoutHandlerFastify({ returnTo: '/' }));
 *
 * @group Sign-out
 */
export function postLogoutHandlerFastify<
  Request extends object = object,
  Reply extends FastifySignOutReplyLike = FastifySignOutReplyLike,
>(options: PostLogoutOptions = {}): (request: Request, reply: Reply) => Promise<Reply> {
  const answer = postLogoutReturn('postLogoutHandlerFastify', options);
  return async (request, reply) => {
    const { url = '/', headers, query } = request as FastifySignOutRequest;
    const state = (query as { state?: unknown } | undefined)?.state;
    const result = answer(state, headers.cookie, new URL(url, 'http://app.invalid').pathname);
    reply.header('cache-control', 'no-store');
    reply.code(result.status);
    if (result.status === 303) {
      reply.header('set-cookie', result.setCookie);
      reply.header('location', result.location);
      await reply.send();
    } else await reply.send(result.body);
    return reply;
  };
}

/** Passport's logout (a promise from @fastify/passport, a callback from passportOnFastify), then the session's end. */
async function endFastifySession(request: FastifySignOutRequest): Promise<void> {
  const { logOut } = request;
  if (typeof logOut === 'function') {
    const failure = await new Promise<unknown>((settle) => {
      const result = logOut.call(request, settle);
      if (result instanceof Promise) result.then(() => settle(undefined), settle);
    });
    if (failure) throw failure as Error;
  }
  const { session } = request;
  if (typeof session?.delete === 'function') session.delete();
  else if (typeof session?.destroy === 'function') {
    const { destroy } = session;
    await new Promise<void>((resolve, reject) => {
      const result = destroy.call(session, (err) => (err ? reject(err as Error) : resolve()));
      if (result instanceof Promise) result.then(() => resolve(), reject);
    });
  }
}
