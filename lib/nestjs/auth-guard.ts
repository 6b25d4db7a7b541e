// JustLoginAuthGuard: the sign-in and its callback, through @nestjs/passport's AuthGuard.
import { Inject, Injectable, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { answerFor, redirect } from './answers.js';
import { JUSTLOGIN_CONTEXT, type JustLoginContext } from './context.js';

/**
 * Runs the JustLogin strategy that `JustLoginModule` registered as
 * `'justlogin'`: on the sign-in route it sends the browser to JustLogin; on
 * the callback route it finishes the sign-in and logs the user in to the
 * session (`req.logIn`), then the route runs (e.g. with `@Redirect('/')`). A
 * failed sign-in (the user said No, a forged or replayed callback) answers
 * 401, or redirects to the module's `failureRedirect`; JustLogin down: 503.
 *
 * @example
 * @Get('auth/justlogin')
 * @UseGuards(JustLoginAuthGuard)
 * signIn() {}
 *
 * @Get('auth/justlogin/callback')
 * @UseGuards(JustLoginAuthGuard)
 * @Redirect('/profile')
 * callback() {}
 *
 * @group NestJS
 */
@Injectable()
export class JustLoginAuthGuard extends AuthGuard('justlogin') {
  readonly #justLogin: JustLoginContext;
  readonly #adapterHost: HttpAdapterHost;

  /** @internal Nest makes it, with what the module provides. */
  constructor(
    @Inject(JUSTLOGIN_CONTEXT) justLogin: JustLoginContext,
    @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost,
  ) {
    super();
    this.#justLogin = justLogin;
    this.#adapterHost = adapterHost;
  }

  /** Starts or finishes the sign-in; resolves once the user is logged in to the session. */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      await super.canActivate(context);
    } catch (error) {
      const { failureRedirect } = this.#justLogin;
      if (error instanceof UnauthorizedException && failureRedirect) {
        return redirect(this.#adapterHost, context, failureRedirect);
      }
      throw answerFor(error) ?? error;
    }
    await super.logIn(context.switchToHttp().getRequest());
    return true;
  }
}
