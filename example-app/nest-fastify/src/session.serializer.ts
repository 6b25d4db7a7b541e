import { Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';

import type { SessionUser } from './justlogin.strategy.js';

type Done = (err: Error | null, user?: SessionUser) => void;

/** Keeps the whole user, tokens included, in the server-side session. */
@Injectable()
export class SessionSerializer extends PassportSerializer {
  serializeUser(user: SessionUser, done: Done): void {
    done(null, user);
  }

  // Hands back the session's own object: changing req.user changes the session too.
  deserializeUser(user: SessionUser, done: Done): void {
    done(null, user);
  }
}
