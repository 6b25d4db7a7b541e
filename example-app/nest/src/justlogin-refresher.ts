import type { Provider } from '@nestjs/common';
import { JustLoginRefresher } from 'passport-justlogin';

import { JustLoginAuth } from './justlogin.strategy.js';

/** Injection token of the app's one {@link JustLoginRefresher}. */
export const JUSTLOGIN_REFRESHER = Symbol('JUSTLOGIN_REFRESHER');

/**
 * One refresher for the whole app, with the strategy's client, token endpoint and timeout. Every
 * renewal goes through it, so concurrent ones of a user's tokens (from /refresh or from API calls)
 * are one request to JustLogin, and a refresh token JustLogin rotated is never sent twice.
 */
export const refresherProvider: Provider = {
  provide: JUSTLOGIN_REFRESHER,
  useFactory: (strategy: JustLoginAuth) => JustLoginRefresher.fromStrategy(strategy),
  inject: [JustLoginAuth],
};
