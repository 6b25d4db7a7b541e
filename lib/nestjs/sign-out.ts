// JustLoginSignOut: what a sign-out route does.
import { Injectable } from '@nestjs/common';
import { endSession } from './session.js';

/**
 * Options of {@link JustLoginSignOut.signOut}.
 *
 * @group NestJS
 */
export interface JustLoginSignOutOptions {
  /** Where the browser goes once signed out; default `'/'`. */
  returnTo?: string;
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

/**
 * Signs the user out, for a `POST` route: ends the Passport login and the
 * session, and says where the browser goes next. The route stays the same
 * when this sign-out does more (revoking the tokens, ending JustLogin's own
 * session): its answer is where to go.
 *
 * @example
 * constructor(private readonly justLogin: JustLoginSignOut) {}
 *
 * @Post('auth/sign-out')
 * @Redirect()
 * signOut(@Req() req: Request) {
 *   return this.justLogin.signOut(req);
 * }
 *
 * @group NestJS
 */
@Injectable()
export class JustLoginSignOut {
  /** Ends the request's sign-in; resolves with the redirect to `returnTo`. */
  async signOut(request: object, options: JustLoginSignOutOptions = {}): Promise<JustLoginSignOutRedirect> {
    await endSession(request);
    return { url: options.returnTo ?? '/', statusCode: 303 };
  }
}
