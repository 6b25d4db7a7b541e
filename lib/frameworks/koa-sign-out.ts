// Sign-out for Koa (koa-passport, koa-session): the sign-out route and the page JustLogin sends the
// browser back to.
import { postLogoutReturn, type PostLogoutOptions } from '../sign-out/post-logout';
import { signOutFlow, type SignOutOptions } from '../sign-out/sign-out';
import type { JustLoginTokenSet } from '../token-set';

/**
 * The parts of a Koa context the handlers use.
 *
 * @group Sign-out
 */
export interface KoaSignOutContextLike {
  /** The HTTP method: only POST signs out. */
  readonly method: string;
  /** The request's path. */
  readonly path: string;
  /** The parsed query string (`state` on the post-logout return). */
  readonly query: unknown;
  /** Header names in lower case. */
  readonly headers: { readonly [name: string]: string | string[] | undefined };
  /** The response status. */
  status: number;
  /** The response body. */
  body: unknown;
  /** Adds a response header (`Set-Cookie` beside those already set). */
  append(name: string, value: string): unknown;
  /** Sets a response header. */
  set(name: string, value: string): unknown;
  /** Redirects to `url`. */
  redirect(url: string): unknown;
}

/** What the Koa handlers read of a context by default: koa-passport's `ctx.state.user` and `ctx.logout()`, koa-session's `ctx.session`. */
interface KoaSignOutContext extends KoaSignOutContextLike {
  readonly state?: { user?: { tokens?: JustLoginTokenSet } | null };
  logout?: () => unknown;
  session?: unknown;
}

/**
 * The sign-out route for Koa, as `signOutHandler` is for Express: POST only
 * (any other method gets 405 and changes nothing); ends the Passport login
 * (koa-passport's `ctx.logout()`) and the session (`ctx.session = null`),
 * then, best effort within `timeoutMs`, revokes the refresh token, forgets
 * its renewals, removes the session from `sessions` (with the `sessionID`
 * option) and redirects (303) to JustLogin's end-session URL with a `state`
 * for {@link postLogoutHandlerKoa}, or to `returnTo`. Throws a
 * `JustLoginOptionsError` naming every option that is missing or invalid.
 *
 * @example
 * router.post('/logout', signOutHandlerKoa({ refresher, postLogoutRedirectURI: 'https://app.example.com/auth/signed-out' }));
 * router.get('/auth/signed-out', postLogoutHandlerKoa());
 *
 * @group Sign-out
 */
export function signOutHandlerKoa<Context extends object = KoaSignOutContextLike>(
  options: SignOutOptions<Context>,
): (ctx: Context) => Promise<void> {
  const signOut = signOutFlow<Context>('signOutHandlerKoa', options, {
    tokens: (ctx) => (ctx as KoaSignOutContext).state?.user?.tokens,
  });
  return async (ctx) => {
    const context = ctx as KoaSignOutContext;
    if (context.method !== 'POST') {
      context.status = 405;
      context.set('Allow', 'POST');
      context.body = { error: 'method_not_allowed' };
      return;
    }
    const answer = await signOut(ctx, async () => {
      if (typeof context.logout === 'function') await context.logout();
      context.session = null;
    });
    if (answer.setCookie) context.append('Set-Cookie', answer.setCookie);
    context.set('Cache-Control', 'no-store');
    context.redirect(answer.location);
    context.status = 303;
  };
}

/**
 * The page JustLogin sends the browser back to after ending its session, as
 * `postLogoutHandler` is for Express: the `state` must be the one kept in this
 * browser's cookie, then 303 to `returnTo` (default `'/'`); otherwise 400
 * `{ "error": "invalid_state" }`.
 *
 * @example
 * router.get('/auth/signed-out', postLogoutHandlerKoa({ returnTo: '/' }));
 *
 * @group Sign-out
 */
export function postLogoutHandlerKoa<Context extends object = KoaSignOutContextLike>(
  options: PostLogoutOptions = {},
): (ctx: Context) => void {
  const answer = postLogoutReturn('postLogoutHandlerKoa', options);
  return (ctx) => {
    const context = ctx as KoaSignOutContext;
    const result = answer((context.query as { state?: unknown }).state, context.headers.cookie, context.path);
    context.set('Cache-Control', 'no-store');
    if (result.status === 303) {
      context.append('Set-Cookie', result.setCookie);
      context.redirect(result.location);
      context.status = 303;
    } else {
      context.status = 400;
      context.body = result.body;
    }
  };
}
