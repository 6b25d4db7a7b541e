import { Controller, Get, Post, Redirect, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { JustLoginAuthGuard, JustLoginSignOut, JustLoginUser, SignedInGuard } from 'passport-justlogin/nestjs';

@Controller()
export class AuthController {
  constructor(private readonly justLogin: JustLoginSignOut) {}

  @Get('auth/justlogin')
  @UseGuards(JustLoginAuthGuard)
  signIn(): void {
    // Not reached: the guard sends the browser to JustLogin.
  }

  @Get('auth/justlogin/callback')
  @UseGuards(JustLoginAuthGuard)
  @Redirect('/profile')
  callback(): void {
    // The guard signed the user in.
  }

  // The tokens were renewed and saved in the session first when they were about to expire.
  @Get('profile')
  @UseGuards(SignedInGuard)
  profile(@JustLoginUser() { profile, tokens }: JustLoginUser) {
    return {
      id: profile.id,
      name: profile.displayName,
      username: profile.username,
      company: profile.companyName,
      expiresAt: tokens.expiresAt,
    };
  }

  // Revokes the refresh token, ends the session, then JustLogin's: JustLogin sends the browser back to /auth/signed-out.
  @Post('auth/sign-out')
  @Redirect()
  signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.justLogin.signOut(req, res);
  }

  // The sign-out's state is checked, then home.
  @Get('auth/signed-out')
  @Redirect()
  signedOut(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.justLogin.signedOut(req, res);
  }
}
