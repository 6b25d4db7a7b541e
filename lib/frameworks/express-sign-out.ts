// Sign-out for Express (and NestJS on Express, whose request and response are Express's): the
// sign-out route, the page JustLogin sends the browser back to, and the back-channel logout endpoint.
// Each is a plain (req, res, next) handler.
import { clientRule } from '../client/client';
import { readOptions, rules, type OptionSpec } from '../client/options';
import { backChannelLogout, type BackChannelLogoutOptions } from '../sign-out/back-channel';
import { postLogoutReturn, type PostLogoutOptions } from '../sign-out/post-logout';
import { signOutFlow, type SignOutOptions } from '../sign-out/sign-out';
import type { JustLoginTokenSet } from '../token-set';

/**
 * The parts of Node's (and so Express's) response the handlers use.
 *
 * @group Sign-out
 */
export interface SignOutResponseLike {
  /** The status code to send. */
  statusCode: number;
  /** A header already set (`Set-Cookie`, to add to it). */
  getHeader(name: string): number | string | string[] | undefined;
  /** Sets a header. */
  setHeader(name: string, value: number | string | readonly string[]): unknown;
  /** Sends the response. */
  end(body?: string): unknown;
}

/**
 * Express's `next`.
 *
 * @group Sign-out
 */
export type SignOutNext = (err?: unknown) => void;

/**
 * What the Express handlers read of a request by default: Passport's `user` and `logout`, express-session's session.
 *
 * @group Sign-out
 */
export interface ExpressSignOutRequest {
  /** The HTTP method: only POST signs out. */
  readonly method?: string;
  /** The path and query string. */
  readonly url?: string;
  /** The path and query string before any router stripped a mount path. */
  readonly originalUrl?: string;
  /** Header names in lower case. */
  readonly headers: { readonly [name: string]: string | string[] | undefined };
  /** The parsed query string (`state` on the post-logout return). */
  readonly query?: unknown;
  /** The parsed body (`logout_token` at the back-channel endpoint). */
  readonly body?: unknown;
  /** express-session's session id, removed from the session index. */
  readonly sessionID?: string;
  /** The signed-in user, whose tokens are revoked. */
  readonly user?: unknown;
  /** Passport's `req.logout`. */
  logout?: (done: (err?: unknown) => void) => void;
  /** express-session's session, destroyed. */
  readonly session?: {
    /** Ends the session in its store. */
    destroy?: (done: (err?: unknown) => void) => unknown;
  } | null;
}

/**
 * The sign-out route, for `app.post(…)` (a GET, or any method but POST, is
 * answered 405 and changes nothing). It reads the user's tokens, ends the
 * Passport login (`req.logout`) and the session (`req.session.destroy`), then,
 * each step best effort and all within `timeoutMs`: revokes the refresh token
 * at JustLogin, forgets its renewals (`refresher.forget`: memory and Redis),
 * removes the session from `sessions`, and redirects (303) to JustLogin's
 * end-session URL with the sign-in's id_token and a `state` kept in a cookie
 * for {@link postLogoutHandler}, or to `returnTo` when JustLogin has no
 * end-session endpoint or did not answer. A failure to end the local session
 * goes to `next(err)`. Also a NestJS middleware, or called from a controller
 * with `@Req()`, `@Res()` and `@Next()`. Throws a `JustLoginOptionsError`
 * naming every option that is missing or invalid.
 *
 * @example
 * app.post('/logout', signOutHandler({
 *   refresher,
 *   postLogoutRedirectURI: 'https://app.example.com/auth/signed-out',
 * }));
 * app.get('/auth/signed-out', postLogoutHandler());
 *
 * @group Sign-out
 */
export function signOutHandler<Req extends object = ExpressSignOutRequest>(
  options: SignOutOptions<Req>,
): (req: Req, res: SignOutResponseLike, next: SignOutNext) => Promise<void> {
  const signOut = signOutFlow<Req>('signOutHandler', options, {
    tokens: (req) => (req as { user?: { tokens?: JustLoginTokenSet } }).user?.tokens,
    sessionID: (req) => (req as ExpressSignOutRequest).sessionID,
  });
  return async (req, res, next) => {
    if ((req as ExpressSignOutRequest).method !== 'POST') {
      methodNotAllowed(res, 'POST');
      return;
    }
    let answer;
    try {
      answer = await signOut(req, () => endExpressSession(req as ExpressSignOutRequest));
    } catch (error) {
      next(error);
      return;
    }
    if (answer.setCookie) appendCookie(res, answer.setCookie);
    res.statusCode = 303;
    res.setHeader('Location', answer.location);
    res.setHeader('Cache-Control', 'no-store');
    res.end();
  };
}

/**
 * The page JustLogin sends the browser back to after ending its session (the
 * `postLogoutRedirectURI` of {@link signOutHandler}, mounted with `app.get`):
 * when the `state` JustLogin returns is the one kept in this browser's cookie,
 * it clears the cookie and redirects (303) to `returnTo` (default `'/'`);
 * otherwise (forged, missing, or older than 10 minutes) it answers 400
 * `{ "error": "invalid_state" }`. Throws a `JustLoginOptionsError` naming an
 * invalid option.
 *
 * @example
 * app.get('/auth/signed-out', postLogoutHandler({ returnTo: '/?signed-out=1' }));
 *
 * @group Sign-out
 */
export function postLogoutHandler<Req extends object = ExpressSignOutRequest>(
  options: PostLogoutOptions = {},
): (req: Req, res: SignOutResponseLike, next: SignOutNext) => void {
  const answer = postLogoutReturn('postLogoutHandler', options);
  return (req, res) => {
    const request = req as ExpressSignOutRequest;
    const url = new URL(request.originalUrl ?? request.url ?? '/', 'http://app.invalid');
    const query = request.query as { state?: unknown } | undefined;
    const state = query && typeof query === 'object' ? query.state : url.searchParams.get('state');
    const result = answer(state, request.headers.cookie, url.pathname);
    res.setHeader('Cache-Control', 'no-store');
    if (result.status === 303) {
      appendCookie(res, result.setCookie);
      res.statusCode = 303;
      res.setHeader('Location', result.location);
      res.end();
    } else sendJSON(res, 400, result.body);
  };
}

/**
 * A session store as express-session defines it (connect-redis, MemoryStore, …): what back-channel logout calls.
 *
 * @group Sign-out
 */
export interface SessionStoreLike {
  /** Ends the session `sid`. */
  destroy(sid: string, callback: (err?: Error | null) => void): void;
}

/**
 * Options of {@link backChannelLogoutHandler}: those of `backChannelLogout`,
 * with express-session's `store` in place of `destroySession` if you like.
 *
 * @group Sign-out
 */
export interface BackChannelLogoutHandlerOptions extends Omit<BackChannelLogoutOptions, 'destroySession'> {
  /** The app's express-session store: its `destroy` ends each session. Give `store` or `destroySession`. */
  store?: SessionStoreLike;
  /** Ends the app's session `sessionID`, when there is no `store`. */
  destroySession?: (sessionID: string) => void | Promise<void>;
}

const BACK_CHANNEL_OPTIONS = {
  client: { rule: clientRule, required: true },
  sessions: { rule: rules.withMethods('take'), required: true },
  store: { rule: rules.withMethods('destroy') },
  destroySession: {
    rule: (value, options) =>
      options.store !== undefined ? 'cannot be given with `store`: give one of them' : rules.func(value, options),
    required: (options) => options.store === undefined,
  },
} satisfies Record<keyof BackChannelLogoutHandlerOptions, OptionSpec>;

/** The most bytes of a back-channel logout request read. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The back-channel logout endpoint (Back-Channel Logout 1.0), for
 * `app.post(…)` at the URI registered with JustLogin as the app's
 * back-channel logout URI. It reads `logout_token` from the form body
 * (parsed by `express.urlencoded()`, or read here, at most 64 KiB), verifies
 * it with `client.verifyLogoutToken` (a replay is refused), and ends every
 * session of that JustLogin session (or, without `sid`, of that user) that
 * `sessions` indexed, in `store`: with the index and the store in Redis, on
 * every instance. Answers 200, or 400 with a JSON error
 * (`{ error, error_description }`), never a stack or a token, always with
 * `Cache-Control: no-store`.
 *
 * @example
 * app.post('/auth/backchannel-logout', backChannelLogoutHandler({ client, sessions, store: sessionStore }));
 *
 * @group Sign-out
 */
export function backChannelLogoutHandler<Req extends object = ExpressSignOutRequest>(
  options: BackChannelLogoutHandlerOptions,
): (req: Req, res: SignOutResponseLike, next: SignOutNext) => Promise<void> {
  const settings = readOptions<BackChannelLogoutHandlerOptions>(
    'backChannelLogoutHandler',
    options,
    BACK_CHANNEL_OPTIONS,
  );
  const { store } = settings;
  const logout = backChannelLogout({
    client: settings.client,
    sessions: settings.sessions,
    destroySession: store
      ? (sessionID) =>
          new Promise<void>((resolve, reject) => store.destroy(sessionID, (err) => (err ? reject(err) : resolve())))
      : settings.destroySession!, // checked: required without `store`
  });
  return async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if ((req as ExpressSignOutRequest).method !== 'POST') {
      methodNotAllowed(res, 'POST');
      return;
    }
    const answer = await logout(await logoutTokenOf(req as ExpressSignOutRequest & AsyncIterable<Buffer>));
    if (answer.status === 200) {
      res.statusCode = 200;
      res.end();
    } else sendJSON(res, answer.status, answer.body);
  };
}

/** `logout_token` of the form body, parsed already or read here (at most 64 KiB); `undefined` when there is none. */
async function logoutTokenOf(req: ExpressSignOutRequest & AsyncIterable<Buffer>): Promise<unknown> {
  if (typeof req.body === 'object' && req.body !== null) return (req.body as { logout_token?: unknown }).logout_token;
  const type = req.headers['content-type'];
  if (typeof type !== 'string' || !/^application\/x-www-form-urlencoded\b/i.test(type)) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  return form.getAll('logout_token').length === 1 ? form.get('logout_token') : undefined;
}

/** Passport's logout, then the session's end: what a sign-out must do whatever happens at JustLogin. */
async function endExpressSession(req: ExpressSignOutRequest): Promise<void> {
  const { logout } = req;
  if (typeof logout === 'function') {
    await new Promise<void>((resolve, reject) => logout.call(req, (err) => (err ? reject(err as Error) : resolve())));
  }
  const session = req.session; // after Passport's logout: the new, empty session it made
  const destroy = session?.destroy;
  if (typeof destroy === 'function') {
    await new Promise<void>((resolve, reject) =>
      destroy.call(session, (err) => (err ? reject(err as Error) : resolve())),
    );
  }
}

/** Adds a `Set-Cookie` to those a Node response already sets. */
export function appendCookie(res: Pick<SignOutResponseLike, 'getHeader' | 'setHeader'>, cookie: string): void {
  const previous = res.getHeader('Set-Cookie');
  const cookies = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  res.setHeader('Set-Cookie', [...cookies, cookie]);
}

function methodNotAllowed(res: SignOutResponseLike, allowed: string): void {
  res.setHeader('Allow', allowed);
  sendJSON(res, 405, { error: 'method_not_allowed' });
}

function sendJSON(res: SignOutResponseLike, status: number, body: object): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
