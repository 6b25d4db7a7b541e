import { createHash } from 'node:crypto';
import { resolveEndpoints, type JustLoginEnvironment } from './endpoints';
import { NoRefreshTokenError } from './errors';
import { TokenEndpoint } from './http';
import { SingleFlight } from './single-flight';
import { isExpired, toTokenSet, type JustLoginTokenSet } from './token-set';
import type { JustLoginStrategy } from './strategy';

/**
 * Decides which refresh actually runs when several callers ask to renew the
 * same refresh token at once. `key` is the SHA-256 (hex) of the refresh token,
 * never the token itself. The default, {@link SingleFlight}, does this within
 * one process; a shared implementation (e.g. over Redis) can do it across
 * processes.
 *
 * @example
 * const logged: RefreshCoordinator = {
 *   run(key, task) {
 *     console.log('refreshing', key.slice(0, 8));
 *     return task();
 *   },
 * };
 * const refresher = new JustLoginRefresher({ clientID, clientSecret, coordinator: logged });
 */
export interface RefreshCoordinator {
  run(key: string, task: () => Promise<JustLoginTokenSet>): Promise<JustLoginTokenSet>;
}

export interface JustLoginRefresherOptions {
  clientID: string;
  clientSecret: string;
  /** `'production'` (default) or `'sandbox'`. */
  environment?: JustLoginEnvironment;
  /** Any other JustLogin host, e.g. a local sandbox: `http://127.0.0.1:4000`. */
  baseURL?: string;
  /** Overrides the token endpoint derived from `environment` / `baseURL`. */
  tokenURL?: string;
  /** Milliseconds before an unanswered refresh fails with `ETIMEDOUT`; default 10000. */
  timeout?: number;
  /** Who runs concurrent refreshes of one token; default: one request per token in this process. */
  coordinator?: RefreshCoordinator;
}

/** The tokens a refresh needs. */
export interface RefreshParams {
  refreshToken: string;
  /** When given, sent as `Authorization: Bearer <accessToken>`, as JustLogin documents. */
  accessToken?: string;
}

export interface EnsureFreshOptions {
  /** Renew when the access token expires within this many seconds; default 60. */
  skewSeconds?: number;
}

/**
 * Renews JustLogin access tokens with the refresh token, exactly as JustLogin
 * documents it: a form POST of `grant_type=refresh_token&refresh_token=…&client_id=…&client_secret=…`
 * to the token endpoint, with `Authorization: Bearer <access token>` when the
 * current access token is known.
 *
 * Concurrent refreshes of the same refresh token make one request, and every
 * caller gets its result or its error (see {@link RefreshCoordinator}).
 *
 * Errors: JustLogin's OAuth errors reject with a `JustLoginTokenError`
 * (`err.code === 'invalid_grant'`: the user must sign in again); timeouts,
 * network failures, `5xx` and unreadable answers reject with
 * `err.retryable === true`. Messages never contain the client secret or a token.
 *
 * @example
 * const refresher = new JustLoginRefresher({ clientID, clientSecret, environment: 'sandbox' });
 * const tokens = await refresher.refresh({ refreshToken, accessToken });
 */
export class JustLoginRefresher {
  readonly #endpoint: TokenEndpoint;
  readonly #coordinator: RefreshCoordinator;

  /**
   * Throws a `TypeError` naming the option when an option is missing or invalid.
   *
   * @example
   * const refresher = new JustLoginRefresher({
   *   clientID: process.env.JUSTLOGIN_CLIENT_ID,
   *   clientSecret: process.env.JUSTLOGIN_CLIENT_SECRET,
   *   timeout: 5000,
   * });
   */
  constructor(options: JustLoginRefresherOptions);
  /** @internal {@link JustLoginRefresher.fromStrategy} passes the strategy's token endpoint. */
  constructor(options: Pick<JustLoginRefresherOptions, 'coordinator'>, tokenEndpoint: TokenEndpoint);
  constructor(options: Partial<JustLoginRefresherOptions>, tokenEndpoint?: TokenEndpoint) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('passport-justlogin: JustLoginRefresher requires an options object');
    }
    this.#endpoint = tokenEndpoint ?? createTokenEndpoint(options);
    this.#coordinator = checkCoordinator(options.coordinator);
  }

  /**
   * A refresher with the same client and the very same token endpoint (URL,
   * timeout, error handling) as `strategy`.
   *
   * @example
   * const strategy = new JustLoginStrategy(options, verify);
   * passport.use(strategy);
   * const refresher = JustLoginRefresher.fromStrategy(strategy);
   */
  static fromStrategy(
    strategy: JustLoginStrategy,
    options: Pick<JustLoginRefresherOptions, 'coordinator'> = {},
  ): JustLoginRefresher {
    const endpoint: unknown = strategy?._tokenEndpoint;
    if (!(endpoint instanceof TokenEndpoint)) {
      throw new TypeError('passport-justlogin: JustLoginRefresher.fromStrategy requires a JustLoginStrategy');
    }
    return new JustLoginRefresher(options, endpoint);
  }

  /**
   * Exchanges `refreshToken` for new tokens. The result's `expiresAt` is
   * computed when JustLogin's answer arrives. When JustLogin rotates the
   * refresh token the new one is returned, otherwise the one used is kept.
   *
   * @example
   * const next = await refresher.refresh({ refreshToken: tokens.refreshToken, accessToken: tokens.accessToken });
   * // next.accessToken, next.refreshToken, next.expiresAt
   */
  async refresh({ refreshToken, accessToken }: RefreshParams): Promise<JustLoginTokenSet> {
    if (typeof refreshToken !== 'string' || !refreshToken) throw new NoRefreshTokenError();
    const key = createHash('sha256').update(refreshToken).digest('hex');
    return this.#coordinator.run(key, async () => {
      const response = await this.#endpoint.request(
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        accessToken,
      );
      return toTokenSet(response.access_token, response.refresh_token || refreshToken, response, Date.now());
    });
  }

  /**
   * Returns `tokens` itself while the access token is valid for more than
   * `skewSeconds`, otherwise the result of {@link refresh}. Tokens without
   * `expiresAt` count as fresh. Rejects with {@link NoRefreshTokenError}
   * (`code: 'no_refresh_token'`), without a request, when a refresh is due but
   * `tokens` has no refresh token. `tokens` is never modified.
   *
   * @example
   * req.user.tokens = await refresher.ensureFresh(req.user.tokens);
   */
  async ensureFresh(
    tokens: JustLoginTokenSet,
    { skewSeconds = 60 }: EnsureFreshOptions = {},
  ): Promise<JustLoginTokenSet> {
    if (!isExpired(tokens, skewSeconds)) return tokens;
    if (!tokens.refreshToken) throw new NoRefreshTokenError();
    return this.refresh({ refreshToken: tokens.refreshToken, accessToken: tokens.accessToken });
  }
}

function createTokenEndpoint(options: Partial<JustLoginRefresherOptions>): TokenEndpoint {
  const { clientID = '', clientSecret = '', environment, baseURL, tokenURL, timeout } = options;
  const endpoints = resolveEndpoints({ environment, baseURL, tokenURL });
  return new TokenEndpoint({ clientID, clientSecret, tokenURL: endpoints.tokenURL, timeout });
}

function checkCoordinator(coordinator: RefreshCoordinator | undefined): RefreshCoordinator {
  if (coordinator === undefined) return new SingleFlight<JustLoginTokenSet>();
  if (typeof coordinator !== 'object' || coordinator === null || typeof coordinator.run !== 'function') {
    throw new TypeError('passport-justlogin: `coordinator` must have a `run(key, task)` method');
  }
  return coordinator;
}
