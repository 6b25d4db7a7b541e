import { Controller, Get, Redirect, Req, UseGuards } from '@nestjs/common';

import { JustLoginGuard, SignedInGuard } from './auth.guards.js';
import type { SessionUser } from './justlogin.strategy.js';

@Controller()
export class AuthController {
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

  // The tokens were renewed before this runs when they were about to expire (main.ts).
  @Get('profile')
  @UseGuards(SignedInGuard)
  profile(@Req() req: { user: SessionUser }) {
    const { id, name, username, company, tokens } = req.user;
    return { id, name, username, company, expiresAt: tokens.expiresAt };
  }
}
