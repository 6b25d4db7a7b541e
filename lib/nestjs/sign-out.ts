// JustLoginSignOut: what the sign-out route and the page JustLogin sends the browser back to do.
import { BadRequestException, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { SessionIndex, SignOutLogger } from '../index.js';
import { postLogoutReturn, type PostLogoutAnswer } from '../sign-out/post-logout.js';
import { signOutFlow, type SignOut } from '../sign-out/sign-out.js';
import { addHeader } from './answers.js';
import { JUSTLOGIN_CONTEXT, type JustLoginContext } from './context.js';
import { endSession } from './session.js';
import { userOf } from './user.js';

/**
 * The `signOut` option of `JustLoginModule`: where the browser goes, and
 * what else a sign-out ends.
 *
 * @group NestJS
 */
export interface JustLoginSignOutOptions {
  /**
   * Where JustLogin sends the browser once its session has ended: the
   * absolute URL of the route that calls {@link JustLoginSignOut.signedOut},
   * registered with JustLogin (e.g. `https://app.example.com/auth/signed-out`).
   * Without it JustLogin shows its own signed-out page.
   */
  postLogoutRedirectURI?: string;
  /** Where the browser ends up: back from JustLogin, or at once when JustLogin has no end-session endpoint; a path of the app or a URL; default `'/'`. */
  returnTo?: string;
  /** The index of the app's sessions that back-channel logout reads: a signed-out session is removed from it. */
  sessions?: SessionIndex;
  /** Milliseconds the steps at JustLogin and in Redis may take together; the browser goes on after them in any case. Default 5000. */
  timeoutMs?: number;
  /** The name of the cookie that keeps the sign-out's `state` for the return; default `'justlogin_signout'`. */
  cookieName?: string;
  /** Told of every step that failed or did not finish in time (default `console`). */
  logger?: SignOutLogger;
}

/**
 * Where a sign-out route sends the browser: what a handler decorated with `@Redirect()` returns.
 *
 * @group NestJS
 */
export interface JustLoginSignOutRedirect {
  /** The page to go to. */
  url: string;
  /** 303 See Other: the browser follows with a GET. */
  statusCode: 303;
}

/** What the sign-out reads of a request, on Express and on Fastify. */
interface SignOutRequest {
  readonly method?: string;
  readonly url?: string;
  readonly originalUrl?: string;
  readonly headers?: { readonly cookie?: string | string[] };
  readonly query?: { readonly state?: unknown } | null;
  /** express-session's id. */
  readonly sessionID?: string;
  /** @fastify/session's id. */
  readonly session?: { readonly sessionId?: string } | null;
}

/**
 * Signs users out, for two routes of the app. `signOut`, on a `POST` route:
 * ends the Passport login and the session, then, each step best effort and
 * all within `timeoutMs`, revokes the refresh token at JustLogin, forgets its
 * renewals (in memory and in the module's coordinator, e.g. Redis), removes
 * the session from `sessions`, and resolves with the redirect to JustLogin's
 * end-session URL (with the sign-in's id_token and a `state` kept in a
 * cookie), or to `returnTo` when JustLogin has none. `signedOut`, on the
 * route of `postLogoutRedirectURI`: checks that the `state` JustLogin sends
 * back is this browser's, then redirects to `returnTo`; a forged or stale
 * one is answered 400 `{ "error": "invalid_state" }`. Both need the response
 * as `@Res({ passthrough: true })`, for the cookie, on Express and Fastify
 * alike. The options are `JustLoginModule`'s `signOut`.
 *
 * @example
 * constructor(private readonly justLogin: JustLoginSignOut) {}
 *
 * @Post('auth/sign-out')
 * @Redirect()
 * signOut(@Req() req: object, @Res({ passthrough: true }) res: object) {
 *   return this.justLogin.signOut(req, res);
 * }
 *
 * @Get('auth/signed-out')
 * @Redirect()
 * signedOut(@Req() req: object, @Res({ passthrough: true }) res: object) {
 *   return this.justLogin.signedOut(req, res);
 * }
 *
 * @group NestJS
 */
@Injectable()
export class JustLoginSignOut {
  readonly #signOut: SignOut<object>;
  readonly #return: (state: unknown, cookieHeader: unknown, path: string) => PostLogoutAnswer;

  /** @internal Nest makes it, with what the module provides. */
  constructor(@Inject(JUSTLOGIN_CONTEXT) { refresher, signOut = {} }: JustLoginContext) {
    this.#signOut = signOutFlow<object>(
      'JustLoginModule signOut',
      { ...signOut, refresher },
      {
        tokens: (request) => userOf(request)?.tokens,
        sessionID: (request) => {
          const { sessionID, session } = request as SignOutRequest;
          return sessionID ?? session?.sessionId;
        },
      },
    );
    const { returnTo, cookieName } = signOut;
    this.#return = postLogoutReturn('JustLoginModule signOut', { returnTo, cookieName });
  }

  /** Signs the request's user out (a `POST` only: any other method is answered 405); resolves with where the browser goes. */
  async signOut(request: object, response: object): Promise<JustLoginSignOutRedirect> {
    if ((request as SignOutRequest).method !== 'POST') {
      addHeader(response, 'allow', 'POST');
      throw new HttpException('Sign out with a POST', HttpStatus.METHOD_NOT_ALLOWED);
    }
    const answer = await this.#signOut(request, () => endSession(request));
    addHeader(response, 'cache-control', 'no-store');
    if (answer.setCookie) addHeader(response, 'set-cookie', answer.setCookie);
    return { url: answer.location, statusCode: 303 };
  }

  /** The return from JustLogin's end-session endpoint: the redirect to `returnTo`, or a 400 for a `state` that is not this browser's. */
  signedOut(request: object, response: object): JustLoginSignOutRedirect {
    const { query, headers, originalUrl, url } = request as SignOutRequest;
    const path = new URL(originalUrl ?? url ?? '/', 'http://app.invalid').pathname;
    const answer = this.#return(query?.state, headers?.cookie, path);
    addHeader(response, 'cache-control', 'no-store');
    if (answer.status === 400) throw new BadRequestException(answer.body);
    addHeader(response, 'set-cookie', answer.setCookie);
    return { url: answer.location, statusCode: 303 };
  }
}
