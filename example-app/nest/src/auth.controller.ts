import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Post,
  Redirect,
  Req,
  ServiceUnavailableException,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import type { Request } from 'express';
import type { JustLoginRefresher } from 'passport-justlogin';

import { JustLoginGuard, SignedInGuard } from './auth.guards.js';
import { JUSTLOGIN_REFRESHER } from './justlogin-refresher.js';
import type { SessionUser } from './justlogin.strategy.js';

@Controller()
export class AuthController {
  // JustLoginRefresher.fromStrategy: same client, token endpoint and timeout as the strategy.
  constructor(@Inject(JUSTLOGIN_REFRESHER) private readonly refresher: JustLoginRefresher) {}

  @Get('auth/justlogin')
  @UseGuards(JustLoginGuard)
  signIn(): void {
    // Not reached: the guard redirects to JustLogin.
  }

  @Get('auth/justlogin/callback')
  @UseGuards(JustLoginGuard)
  @Redirect('/profile')
  callback(): void {
    // The guard signed the user in.
  }

  @Get('profile')
  @UseGuards(SignedInGuard)
  profile(@Req() req: Request) {
    const user = req.user as SessionUser;
    return {
      id: user.id,
      name: user.name,
      username: user.username,
      company: user.company,
      expiresAt: user.tokens.expiresAt,
    };
  }

  @Post('refresh')
  @HttpCode(200)
  @UseGuards(SignedInGuard)
  async refresh(@Req() req: Request) {
    const user = req.user as SessionUser;
    const { refreshToken, accessToken } = user.tokens;
    if (!refreshToken) throw new UnauthorizedException('Sign in again');
    try {
      // Store the result: JustLogin may rotate the refresh token (each one usable once).
      user.tokens = await this.refresher.refresh({ refreshToken, accessToken });
    } catch (err) {
      const { code, retryable } = err as { code?: string; retryable?: boolean };
      if (code === 'invalid_grant') {
        // The refresh token expired, was revoked or was already used: the user must sign in again.
        await new Promise<void>((resolve, reject) =>
          req.logout((error?: Error) => (error ? reject(error) : resolve())),
        );
        throw new UnauthorizedException('Sign in again');
      }
      // Timeout, connection failure, 5xx: the tokens are unchanged; try again later.
      if (retryable) throw new ServiceUnavailableException('JustLogin is not answering right now');
      throw err;
    }
    return { expiresAt: user.tokens.expiresAt };
  }
}
