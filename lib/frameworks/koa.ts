/**
 * `passport-justlogin/koa`: token renewal for Koa routes (keepTokensFreshKoa).
 *
 * @module passport-justlogin/koa
 */
import type { JustLoginRefresher } from '../renewal/refresher';
import { tokenRenewal, type ReauthenticationError, type TokenAccess } from '../renewal/request-renewal';

/**
 * The part of a Koa context the default `onReauthenticate` uses: koa-passport's `ctx.logout()`, `ctx.status`, `ctx.body`.
 *
 * @group Frameworks
 */
export interface KoaContextLike {
  /** The response status. */
  status: number;
  /** The response body. */
  body: unknown;
  /** koa-passport's sign-out, when it is installed. */
  logout?: () => unknown;
}

/**
 * Options of {@link keepTokensFreshKoa}. `Context` is the app's context type:
 * name it on a callback's parameter, e.g. `get: (ctx: Context) => ctx.state.user?.tokens`.
 *
 * @group Frameworks
 */
export interface KeepTokensFreshKoaOptions<Context extends object = KoaContextLike> extends TokenAccess<Context> {
  /**
   * Answers instead of the route when the user must sign in again (JustLogin
   * refused the refresh token, there is none, or a renewed id_token failed its
   * checks). Default: `ctx.logout()` when koa-passport provides it, then HTTP
   * 401 `{ "error": "reauthentication_required" }`.
   */
  onReauthenticate?: (ctx: Context, error: ReauthenticationError) => unknown;
}

/**
 * Koa middleware that renews the request's JustLogin tokens before the next
 * middleware runs when they are about to expire, as `keepTokensFresh` does for
 * Express: concurrent requests share one refresh, older tokens are never
 * written over newer ones, a user who must sign in again gets
 * `onReauthenticate`, and any other failure (timeout, network, `5xx`; see
 * `err.retryable`) is thrown to the app's error handling, so a route never
 * runs with dead tokens. Throws a `JustLoginOptionsError`
 * listing every option that is missing, unknown or invalid.
 *
 * @example
 * router.get('/profile', keepTokensFreshKoa(refresher, {
 *   get: (ctx) => ctx.state.user?.tokens,
 *   set: (ctx, tokens) => { ctx.state.user.tokens = tokens; },
 * }), profile);
 *
 * @group Frameworks
 */
export function keepTokensFreshKoa<Context extends object = KoaContextLike>(
  refresher: Pick<JustLoginRefresher, 'ensureFresh'>,
  options: KeepTokensFreshKoaOptions<Context>,
): (ctx: Context, next: () => Promise<unknown>) => Promise<void> {
  const { renew, onReauthenticate = signOut } = tokenRenewal('keepTokensFreshKoa', refresher, options);
  return async (ctx, next) => {
    const reauthenticate = await renew(ctx);
    if (reauthenticate) await onReauthenticate(ctx, reauthenticate);
    else await next();
  };
}

async function signOut(ctx: object): Promise<void> {
  const context = ctx as KoaContextLike;
  if (typeof context.logout === 'function') await context.logout();
  context.status = 401;
  context.body = { error: 'reauthentication_required' };
}

export { signOutHandlerKoa, postLogoutHandlerKoa } from './koa-sign-out';
export type { KoaSignOutContextLike } from './koa-sign-out';
