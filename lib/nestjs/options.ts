// JustLoginModule's options: those of the strategy and the refresher, and the module's own.
import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import { JustLoginOptionsError, type JustLoginStrategyOptions } from '../index.js';
import type { JustLoginRefresherOwnOptions } from '../renewal/refresher.js';
import { readOptions, rules } from '../client/options.js';
import type { JustLoginSignOutOptions } from './sign-out.js';

/**
 * The module's own options, beside those of the strategy and the refresher.
 *
 * @inline
 */
export interface JustLoginModuleOwnOptions {
  /**
   * Where `JustLoginAuthGuard` sends the browser when a sign-in fails on the
   * callback (the user said No, a forged or replayed callback), e.g.
   * `'/?sign-in=failed'`. Default: answer 401.
   */
  failureRedirect?: string;
  /**
   * Where `SignedInGuard` sends a visitor who is not signed in, or who must
   * sign in again, e.g. `'/auth/justlogin'`. Default: answer 401.
   */
  signInRedirect?: string;
  /**
   * What `JustLoginSignOut` does besides ending the session and revoking the
   * refresh token: where JustLogin sends the browser back
   * (`postLogoutRedirectURI`), where it ends up (`returnTo`), the session
   * index of back-channel logout, its deadline.
   */
  signOut?: JustLoginSignOutOptions;
}

/**
 * Options of `JustLoginModule.forRoot`: the strategy's (`clientID`,
 * `clientSecret`, `callbackURL`, `environment` or `baseURL`, `scope`, …), the
 * refresher's (`coordinator`, e.g. a `RedisRefreshCoordinator` shared by
 * every instance of the app, and `graceMs`) and the module's own.
 *
 * @group NestJS
 */
export type JustLoginModuleOptions = JustLoginStrategyOptions &
  JustLoginRefresherOwnOptions &
  JustLoginModuleOwnOptions;

/**
 * Options of `JustLoginModule.forRootAsync`: the options made by a factory, with what it needs injected.
 *
 * @group NestJS
 */
export interface JustLoginModuleAsyncOptions {
  /** Modules whose providers `inject` names, e.g. `ConfigModule`. */
  imports?: ModuleMetadata['imports'];
  /** Providers handed to `useFactory`, in order, e.g. `ConfigService`. */
  inject?: FactoryProvider['inject'];
  /** Makes the options, e.g. `(config: ConfigService) => ({ clientID: config.getOrThrow('JUSTLOGIN_CLIENT_ID'), … })`. */
  useFactory: (...args: never[]) => JustLoginModuleOptions | Promise<JustLoginModuleOptions>;
}

/** The options split: the strategy's, the refresher's and the module's own. */
export interface SplitOptions {
  strategy: JustLoginStrategyOptions;
  refresher: JustLoginRefresherOwnOptions;
  own: JustLoginModuleOwnOptions;
}

const OWN_OPTIONS = {
  failureRedirect: { rule: rules.nonEmptyString },
  signInRedirect: { rule: rules.nonEmptyString },
  signOut: { rule: rules.object },
};

/**
 * Splits the module's options, reading each once and checking its own; the
 * strategy and the refresher check theirs. Throws a `JustLoginOptionsError`.
 */
export function splitOptions(options: JustLoginModuleOptions): SplitOptions {
  if (typeof options !== 'object' || options === null) {
    throw new JustLoginOptionsError('JustLoginModule', [`options must be an object, not ${String(options)}`]);
  }
  const { coordinator, graceMs, failureRedirect, signInRedirect, signOut, ...strategy } = options;
  const own = readOptions<JustLoginModuleOwnOptions>(
    'JustLoginModule',
    { failureRedirect, signInRedirect, signOut },
    OWN_OPTIONS,
  );
  return { strategy, refresher: { coordinator, graceMs }, own };
}
