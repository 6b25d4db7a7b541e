// JustLoginModule: the strategy, the app's one refresher, the per-request API client and the sign-out, as a dynamic module.
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import passport from 'passport';
import { JustLoginApi, JustLoginOptionsError, JustLoginRefresher, JustLoginStrategy } from '../index.js';
import { apiProvider } from './api.js';
import { JUSTLOGIN_CONTEXT, justLoginContext } from './context.js';
import {
  splitOptions,
  type JustLoginModuleAsyncOptions,
  type JustLoginModuleOptions,
  type SplitOptions,
} from './options.js';
import { keepUsersInSession } from './session.js';
import { JustLoginSignOut } from './sign-out.js';
import { signedIn } from './user.js';

/** The injection token of the module's options, split. */
const OPTIONS = Symbol('passport-justlogin/nestjs options');

const PROVIDERS: Provider[] = [
  {
    provide: JustLoginStrategy,
    inject: [OPTIONS],
    useFactory: ({ strategy: options }: SplitOptions) => {
      const strategy = new JustLoginStrategy(options, signedIn);
      passport.use('justlogin', strategy);
      keepUsersInSession();
      return strategy;
    },
  },
  {
    provide: JustLoginRefresher,
    inject: [JustLoginStrategy, OPTIONS],
    useFactory: (strategy: JustLoginStrategy, { refresher }: SplitOptions) =>
      JustLoginRefresher.fromStrategy(strategy, refresher),
  },
  {
    provide: JUSTLOGIN_CONTEXT,
    inject: [JustLoginRefresher, OPTIONS],
    useFactory: (refresher: JustLoginRefresher, { own }: SplitOptions) => justLoginContext(refresher, own),
  },
  apiProvider,
  JustLoginSignOut,
];

/**
 * Signs users in with JustLogin in a NestJS app, on Express or on Fastify. A
 * global module: registers `JustLoginStrategy` with Passport as
 * `'justlogin'` (the session keeps the signed-in user whole, tokens included),
 * makes the app's one `JustLoginRefresher` (with the `coordinator` given, e.g.
 * Redis), and provides for injection the strategy, the refresher,
 * `JustLoginApi` (per request, bound to the signed-in user's tokens) and
 * `JustLoginSignOut`. `JustLoginAuthGuard`, `SignedInGuard`,
 * `@JustLoginUser()` and `JustLoginExceptionFilter` work with it. The app
 * provides the session and `passport.session()` (see the guide, docs/nestjs.md).
 *
 * @example
 * @Module({
 *   imports: [
 *     JustLoginModule.forRoot({
 *       clientID: 'my-app',
 *       clientSecret: 'my-secret',
 *       callbackURL: 'http://localhost:3000/auth/justlogin/callback',
 *     }),
 *   ],
 * })
 * export class AppModule {}
 *
 * @group NestJS
 */
@Module({})
export class JustLoginModule {
  /**
   * The module with these options; the strategy reads them when the app is
   * created, throwing a `JustLoginOptionsError` that lists every problem.
   */
  static forRoot(options: JustLoginModuleOptions): DynamicModule {
    return withOptions([], { provide: OPTIONS, useFactory: () => splitOptions(options) });
  }

  /**
   * The module with options made when the app is created, by `useFactory`
   * with the providers `inject` names from `imports`.
   *
   * @example
   * JustLoginModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({
   *     clientID: config.getOrThrow('JUSTLOGIN_CLIENT_ID'),
   *     clientSecret: config.getOrThrow('JUSTLOGIN_CLIENT_SECRET'),
   *     callbackURL: config.getOrThrow('JUSTLOGIN_CALLBACK_URL'),
   *   }),
   * })
   */
  static forRootAsync(options: JustLoginModuleAsyncOptions): DynamicModule {
    if (typeof options?.useFactory !== 'function') {
      throw new JustLoginOptionsError('JustLoginModule.forRootAsync', ['`useFactory` must be a function']);
    }
    const { imports = [], inject = [], useFactory } = options;
    return withOptions(imports, {
      provide: OPTIONS,
      inject,
      useFactory: async (...args: never[]) => splitOptions(await useFactory(...args)),
    });
  }
}

function withOptions(imports: NonNullable<JustLoginModuleAsyncOptions['imports']>, options: Provider): DynamicModule {
  return {
    module: JustLoginModule,
    global: true,
    imports,
    providers: [options, ...PROVIDERS],
    exports: [JustLoginStrategy, JustLoginRefresher, JustLoginApi, JustLoginSignOut, JUSTLOGIN_CONTEXT],
  };
}
