import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import {
  JustLoginStrategy,
  toTokenSet,
  type JustLoginProfile,
  type JustLoginTokenParams,
  type JustLoginTokenSet,
} from 'passport-justlogin';

import { APP_CONFIG, type AppConfig } from './config.js';

/** What the app keeps in the session for a signed-in user (req.user). */
export interface SessionUser {
  id: string;
  name?: string;
  username?: string;
  company?: string;
  tokens: JustLoginTokenSet;
}

// The third argument, `true`, makes @nestjs/passport give its verify callback the arity of
// validate() plus one (for `done`). JustLoginStrategy picks the verify form by that arity, so a
// 4-parameter validate() receives `params` (the token response: expires_in, id_token, ...).
// Without it, validate() is called as (accessToken, refreshToken, profile, done).
@Injectable()
export class JustLoginAuth extends PassportStrategy(JustLoginStrategy, 'justlogin', true) {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      clientID: config.clientID,
      clientSecret: config.clientSecret,
      callbackURL: config.callbackURL,
      baseURL: config.baseURL, // unset: JustLogin production
    });
  }

  // Find or create your user here. What this returns becomes req.user (and goes into the session).
  validate(
    accessToken: string,
    refreshToken: string,
    params: JustLoginTokenParams,
    profile: JustLoginProfile,
  ): SessionUser {
    return {
      id: profile.id,
      name: profile.displayName,
      username: profile.username,
      company: typeof profile._json.CompanyName === 'string' ? profile._json.CompanyName : undefined,
      // expiresAt (epoch seconds) comes from params.expires_in.
      tokens: toTokenSet(accessToken, refreshToken, params),
    };
  }
}
