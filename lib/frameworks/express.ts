import type { EnsureFreshOptions, JustLoginRefresher } from '../renewal/refresher';
import type { JustLoginTokenSet } from '../token-set';
import { tokenRenewal } from '../renewal/request-renewal';

/**
 * The part of the response the default `onReauthenticate` uses: Express's `res.status(401).json(…)`.
 *
 * @group Frameworks
 */
export interface KeepTokensFreshResponse {
  /** Sets the status code. */
  status(code: number): {
    /** Sends the body as JSON. */
    json(body: unknown): unknown;
  };
}

/**
 * Express's `next`: goes on to the route, or with an error to the error handler.
 *
 * @group Frameworks
 */
export type KeepTokensFreshNext = (err?: unknown) => void;

/**
 * Options of {@link keepTokensFresh}. `Req` and `Res` are the app's request and
 * response types (default: the request as Passport declares it, and the part of
 * the response the middleware uses); naming them on a callback's parameter,
 * e.g. `onReauthenticate: (req, res: express.Response, next) => …`, sets them.
 *
 * @group Frameworks
 */
export interface KeepTokensFreshOptions<
  Req extends object = Express.Request,
  Res = KeepTokensFreshResponse,
> extends EnsureFreshOptions {
  /** The request's JustLogin tokens, or `undefined` when it has none (e.g. signed out). */
  get: (req: Req) => JustLoginTokenSet | undefined | Promise<JustLoginTokenSet | undefined>;
  /** Stores renewed tokens for the request (and wherever they persist, e.g. the session). */
  set: (req: Req, tokens: JustLoginTokenSet) => void | Promise<void>;
  /**
   * Called instead of the route when the user must sign in again: the error
   * says so (`reauthenticate`: JustLogin refused the refresh token with
   * `invalid_grant`, there is none, or a renewed id_token failed its checks),
   * or an error from elsewhere has the code `invalid_grant` or `ENOREFRESHTOKEN`.
   * Default: `req.logout` when Passport provides it, then HTTP 401
   * `{ "error": "reauthentication_required" }`.
   */
  onReauthenticate?: (req: Req, res: Res, next: KeepTokensFreshNext, error: Error & { code: string }) => void;
}

/** The Passport (>= 0.6) `req.logout` that takes a callback. */
type LogoutRequest = { logout?: (done: (err?: unknown) => void) => void };

/**
 * Express middleware that renews the request's JustLogin tokens before the
 * route runs when they are about to expire. Fresh tokens or none: the request
 * goes on. Near expiry: the request waits for `refresher.ensureFresh`, the new
 * tokens are stored with `set`, then it goes on; concurrent requests share one
 * refresh. Older tokens are never written over newer ones: just before `set`,
 * `get` is read again, and when it now returns other tokens that expire no
 * earlier than the renewed ones (stored meanwhile by another request or
 * instance), those are kept and `set` is not called. The user must sign in
 * again (`err.reauthenticate`): `onReauthenticate`. Any other failure
 * (timeout, network, `5xx`; see `err.retryable`) goes to `next(err)`, so a
 * route never runs with dead tokens. Throws a {@link JustLoginOptionsError}
 * listing every option that is missing, unknown or invalid.
 *
 * @example
 * app.use(keepTokensFresh(refresher, {
 *   get: (req) => req.user?.tokens,
 *   set: (req, tokens) => { req.user.tokens = tokens; },
 * }));
 *
 * @group Frameworks
 */
export function keepTokensFresh<
  Req extends object = Express.Request,
  Res extends KeepTokensFreshResponse = KeepTokensFreshResponse,
>(
  refresher: Pick<JustLoginRefresher, 'ensureFresh'>,
  options: KeepTokensFreshOptions<Req, Res>,
): (req: Req, res: Res, next: KeepTokensFreshNext) => Promise<void> {
  const { renew, onReauthenticate = signOut } = tokenRenewal('keepTokensFresh', refresher, options);
  return async (req, res, next) => {
    let reauthenticate;
    try {
      reauthenticate = await renew(req);
    } catch (error) {
      next(error);
      return;
    }
    if (reauthenticate) onReauthenticate(req, res, next, reauthenticate);
    else next();
  };
}

function signOut(req: LogoutRequest, res: KeepTokensFreshResponse, next: KeepTokensFreshNext): void {
  const respond = () => {
    res.status(401).json({ error: 'reauthentication_required' });
  };
  if (typeof req.logout === 'function') req.logout((err) => (err ? next(err) : respond()));
  else respond();
}
