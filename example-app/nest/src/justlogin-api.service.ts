import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { JustLoginApi, type JustLoginRefresher } from 'passport-justlogin';

import { JUSTLOGIN_REFRESHER } from './justlogin-refresher.js';
import type { SessionUser } from './justlogin.strategy.js';

/**
 * Gives each request a JustLogin API client bound to the signed-in user's tokens (req.user.tokens,
 * kept in the session). The client renews them when they are due or refused, and writes the renewed
 * ones back to req.user, which is the session's own object (see session.serializer.ts): the session
 * saves them at the end of the request.
 */
@Injectable()
export class JustLoginApiService {
  /** The request's client (one a request); throws a JustLoginApiError (`reauthenticate`) when signed out. */
  readonly forRequest: (req: Request) => JustLoginApi;

  constructor(@Inject(JUSTLOGIN_REFRESHER) refresher: JustLoginRefresher) {
    this.forRequest = JustLoginApi.perRequest<Request>(refresher, {
      get: (req) => (req.user as SessionUser | undefined)?.tokens,
      set: (req, tokens) => {
        (req.user as SessionUser).tokens = tokens;
      },
    });
  }
}
