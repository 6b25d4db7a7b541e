// SignedInGuard: only a signed-in user passes, with tokens renewed and saved when due.
import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { answerFor, redirect, signInAgain } from './answers.js';
import { JUSTLOGIN_CONTEXT, type JustLoginContext } from './context.js';
import { endSession, requirePassportSession } from './session.js';
import { userOf } from './user.js';

/**
 * Lets a request through when its session holds a user signed in with
 * JustLogin, after renewing their tokens when they expire within a minute
 * (one renewal for concurrent requests, through the app's one refresher) and
 * saving the renewed ones in the session, on Express and Fastify alike. A
 * visitor who is not signed in gets 401, or the `signInRedirect` of
 * `JustLoginModule`. When JustLogin refuses the refresh token the user is
 * signed out first. JustLogin down: 503, the session left as it was; an
 * answer that cannot be used: 502.
 *
 * @example
 * @Get('profile')
 * @UseGuards(SignedInGuard)
 * profile(@JustLoginUser() user: JustLoginUser) {
 *   return user.profile;
 * }
 *
 * @group NestJS
 */
@Injectable()
export class SignedInGuard implements CanActivate {
  readonly #justLogin: JustLoginContext;
  readonly #adapterHost: HttpAdapterHost;

  /** @internal Nest makes it, with what the module provides. */
  constructor(
    @Inject(JUSTLOGIN_CONTEXT) justLogin: JustLoginContext,
    @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost,
  ) {
    this.#justLogin = justLogin;
    this.#adapterHost = adapterHost;
  }

  /** Renews the tokens when due, or answers when the user is not (or no longer) signed in. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<object>();
    requirePassportSession(request, 'SignedInGuard');
    if (!userOf(request)) return this.#signIn(context, new UnauthorizedException());
    let mustSignIn;
    try {
      mustSignIn = await this.#justLogin.renew(request);
    } catch (error) {
      throw answerFor(error) ?? error;
    }
    if (!mustSignIn) return true;
    await endSession(request);
    return this.#signIn(context, signInAgain());
  }

  #signIn(context: ExecutionContext, refusal: UnauthorizedException): false {
    const { signInRedirect } = this.#justLogin;
    if (signInRedirect) return redirect(this.#adapterHost, context, signInRedirect);
    throw refusal;
  }
}
