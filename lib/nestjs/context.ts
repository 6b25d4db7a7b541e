// What the module's guards, API client and sign-out share, built once from the module's options.
import type { JustLoginRefresher } from '../index.js';
import { tokenRenewal, type RenewTokens } from '../renewal/request-renewal.js';
import type { JustLoginModuleOwnOptions } from './options.js';
import { saveTokens } from './session.js';
import { userOf } from './user.js';

/** The injection token of the {@link JustLoginContext}. */
export const JUSTLOGIN_CONTEXT = Symbol('passport-justlogin/nestjs');

/** The app's one refresher, the renewal of a request's tokens through it, and where guards redirect. */
export interface JustLoginContext extends JustLoginModuleOwnOptions {
  readonly refresher: JustLoginRefresher;
  /** Renews the signed-in user's tokens when due and saves them in the session. */
  readonly renew: RenewTokens<object>;
}

/** The context of an app whose refresher is `refresher`. */
export function justLoginContext(refresher: JustLoginRefresher, own: JustLoginModuleOwnOptions): JustLoginContext {
  const { renew } = tokenRenewal<object, never>('SignedInGuard', refresher, {
    get: (request) => userOf(request)?.tokens,
    set: saveTokens,
  });
  return { refresher, renew, ...own };
}
