import {
  CLIENT_OPTIONS,
  CLIENT_PART,
  clientOf,
  clientOperations,
  JustLoginClient,
  type JustLoginClientOptions,
  type JustLoginClientReference,
} from '../client/client';
import { reportRenewal, type JustLoginRenewalMessage } from '../diagnostics';
import { NoRefreshTokenError } from '../errors';
import { readOptions, rules, type OptionRule, type OptionSpec } from '../client/options';
import { RenewalMemory, refreshTokenKey } from './memory';
import { SingleFlight } from './single-flight';
import { isExpired, toTokenSet, type JustLoginTokenSet } from '../token-set';
import type { JustLoginStrategy } from '../sign-in/strategy';

/**
 * Decides which refresh actually runs when several callers ask to renew the
 * same refresh token at once. `key` is the SHA-256 (hex) of the refresh token,
 * never the token itself. The default does this within one process (one
 * request for all the callers); a shared implementation (e.g. over Redis) can do it across
 * processes. A coordinator that holds a lock for a fixed time says how long in
 * `lockMs`: the refresher refuses one whose lock does not outlive its `timeout`,
 * since a lock that expires while a renewal still runs lets a second caller
 * spend the same refresh token. The token request is all that `task` sends:
 * what checking the answer needs (the discovery document, JustLogin's keys)
 * is fetched before `run`, and the id_token is checked after it.
 *
 * @example
 * const logged: RefreshCoordinator = {
 *   run(key, task) {
 *     console.log('refreshing', key.slice(0, 8));
 *     return task();
 *   },
 * };
 * const refresher = new JustLoginRefresher({ clientID, clientSecret, coordinator: logged });
 *
 * @group Renewal
 */
export interface RefreshCoordinator {
  /** Runs `task` unless a run with the same `key` is under way elsewhere, and resolves with the tokens of whichever run renewed them. */
  run(key: string, task: () => Promise<JustLoginTokenSet>, options?: CoordinatedRunOptions): Promise<JustLoginTokenSet>;
  /** Milliseconds a lock taken by `run` lives, when it expires on its own; must be longer than the refresher's `timeout`. */
  readonly lockMs?: number;
  /**
   * Forgets the renewal of the refresh token whose SHA-256 (hex) is `key`, if
   * one is kept for other callers: at sign-out, so that nobody gets the
   * signed-out user's tokens from it. Best effort: resolves whatever happens.
   */
  forget?(key: string): Promise<void>;
}

/**
 * What {@link RefreshCoordinator.run} is told about a renewal.
 *
 * @group Renewal
 */
export interface CoordinatedRunOptions {
  /**
   * True when the access token being renewed is still valid (`ensureFresh`
   * renews ahead of expiry), so the renewal can wait: a coordinator that cannot
   * coordinate right now may then reject with a retryable error instead of
   * running `task` on its own, and `ensureFresh` hands back the tokens it was
   * given.
   */
  canWait?: boolean;
}

/**
 * The refresher's own options, beside those of its {@link JustLoginClient}.
 *
 * @inline
 */
export interface JustLoginRefresherOwnOptions {
  /** Who runs concurrent refreshes of one token; default: one request per token in this process. */
  coordinator?: RefreshCoordinator;
  /**
   * Milliseconds a renewal is remembered for the refresh token it spent, so a
   * caller still holding that refresh token gets the renewed tokens without a
   * request. Default 60000; 0 remembers nothing.
   */
  graceMs?: number;
}

/**
 * A `client` (or the options to build one) and the refresher's own options.
 *
 * @group Renewal
 */
export type JustLoginRefresherOptions = (JustLoginClientOptions | JustLoginClientReference) &
  JustLoginRefresherOwnOptions;

/**
 * The tokens a refresh needs, and those it keeps when JustLogin's answer leaves them out.
 *
 * @group Renewal
 */
export interface RefreshParams {
  /** The refresh token to spend. */
  refreshToken: string;
  /** When given, sent as `Authorization: Bearer <accessToken>`, as JustLogin documents. */
  accessToken?: string;
  /**
   * The current id_token. A new one must name the same `iss` and `sub`;
   * without a new one, this one is kept in the result.
   */
  idToken?: string;
  /** The current scope, kept in the result when JustLogin's answer has none. */
  scope?: string;
}

/**
 * Options of {@link JustLoginRefresher.ensureFresh}.
 *
 * @group Renewal
 */
export interface EnsureFreshOptions {
  /** Renew when the access token expires within this many milliseconds; default 60000. */
  skewMs?: number;
}

/**
 * Renews JustLogin access tokens with the refresh token, exactly as JustLogin
 * documents it. Concurrent refreshes of one refresh token make one request;
 * a renewal that rotated the refresh token is remembered, encrypted, for
 * `graceMs`, so a caller presenting the spent token gets the renewed set; an
 * id_token in the answer is checked as at sign-in. Rejects with a
 * `JustLoginTokenError` (`reauthenticate` when the refresh token is refused)
 * or a retryable `JustLoginRequestError`. The guide "Keeping tokens fresh"
 * (docs/keeping-tokens-fresh.md) tells the whole of it.
 *
 * @example
 * const refresher = new JustLoginRefresher({ clientID, clientSecret, environment: 'staging' });
 * const tokens = await refresher.refresh({ refreshToken, accessToken });
 *
 * @group Renewal
 */
export class JustLoginRefresher {
  /** The JustLogin client this refresher renews tokens with. */
  readonly client: JustLoginClient;
  readonly #coordinator: RefreshCoordinator;
  readonly #memory: RenewalMemory;

  /**
   * Throws a `JustLoginOptionsError` listing every option that
   * is missing, unknown or invalid, or naming `lockMs` and `timeout` when the
   * coordinator's lock does not outlive the timeout.
   *
   * @example
   * const refresher = new JustLoginRefresher({
   *   clientID: process.env.JUSTLOGIN_CLIENT_ID,
   *   clientSecret: process.env.JUSTLOGIN_CLIENT_SECRET,
   *   timeout: 5000,
   * });
   */
  constructor(options: JustLoginRefresherOptions) {
    const settings = readOptions<RefresherSettings>('JustLoginRefresher', options, REFRESHER_OPTIONS);
    this.client = clientOf(settings);
    this.#coordinator = settings.coordinator ?? new SingleFlight<JustLoginTokenSet>();
    this.#memory = new RenewalMemory(settings.graceMs);
  }

  /**
   * A refresher with the very client of `strategy`: the same token endpoint,
   * timeout and transport, and the same id_token checks (`issuer`,
   * `clockTolerance` and, when the strategy verifies signatures, JustLogin's keys).
   *
   * @example
   * const strategy = new JustLoginStrategy(options, verify);
   * passport.use(strategy);
   * const refresher = JustLoginRefresher.fromStrategy(strategy);
   */
  static fromStrategy(strategy: JustLoginStrategy, options: JustLoginRefresherOwnOptions = {}): JustLoginRefresher {
    const client: unknown = (strategy as { client?: unknown } | null | undefined)?.client;
    clientOperations(client, 'JustLoginRefresher.fromStrategy requires a JustLoginStrategy:');
    return new JustLoginRefresher({ ...options, client: client as JustLoginClient });
  }

  /**
   * Exchanges `refreshToken` for new tokens. The result's `expiresAt` is
   * computed when JustLogin's answer arrives. When JustLogin rotates the
   * refresh token the new one is returned, otherwise the one used is kept;
   * `idToken` and `scope` are kept too when the answer has none. When
   * `refreshToken` was already renewed within `graceMs`, the newest tokens
   * known are returned without a request. Published on `passport-justlogin:renewal`.
   *
   * @example
   * const next = await refresher.refresh({ refreshToken: tokens.refreshToken, accessToken: tokens.accessToken });
   * // next.accessToken, next.refreshToken, next.expiresAt
   */
  refresh(params: RefreshParams): Promise<JustLoginTokenSet> {
    return this.#observed(params, { canWait: false });
  }

  /** {@link refresh}, its outcome published on `passport-justlogin:renewal`. */
  async #observed(params: RefreshParams, runOptions: CoordinatedRunOptions): Promise<JustLoginTokenSet> {
    const report: RenewalReport = { outcome: 'renewed', source: 'process', coordinating: false };
    try {
      const tokens = await this.#refresh(params, runOptions, report);
      reportRenewal(report.outcome, report.source);
      return tokens;
    } catch (error) {
      // Only the coordinator brings a failure from another instance.
      reportRenewal('failed', report.coordinating && !MADE_HERE.has(error as object) ? 'redis' : 'process', error);
      throw error;
    }
  }

  async #refresh(
    params: RefreshParams,
    runOptions: CoordinatedRunOptions,
    report: RenewalReport,
  ): Promise<JustLoginTokenSet> {
    const { refreshToken } = params;
    if (typeof refreshToken !== 'string' || !refreshToken) throw new NoRefreshTokenError();
    const operations = clientOperations(this.client);
    const key = refreshTokenKey(refreshToken);
    let tokens = this.#memory.recall(refreshToken, key);
    if (tokens) report.outcome = 'remembered';
    if (!tokens) {
      // Fetched before the coordinator's lock is taken, so that under it the token request is the
      // only request: the lock need outlive `timeout` once, not once per request.
      await operations.prepareRefreshChecks();
      let renewedHere = false;
      report.coordinating = true;
      tokens = await this.#coordinator.run(
        key,
        madeHereBy(async () => {
          const renewed = await this.#renew(params);
          // Remembered before the coordinator lets the next caller in.
          this.#memory.remember(refreshToken, renewed, key);
          renewedHere = true;
          return renewed;
        }),
        runOptions,
      );
      report.coordinating = false;
      if (!renewedHere) {
        report.outcome = 'waited';
        if (!MADE_HERE.has(tokens)) report.source = 'redis';
      }
      if (!renewedHere) this.#memory.remember(refreshToken, tokens, key); // renewed by another instance
    }
    // Checked by every caller, after the renewal is remembered and published and the lock released.
    // An id_token signed with a key JustLogin published after the keys were fetched above makes the
    // check fetch them again: slow or failing, that fetch cannot lead to a second spend of the
    // refresh token, since whoever holds it now finds the renewal remembered or published. A renewal
    // whose id_token fails stays remembered and fails the same way for every caller.
    if (tokens.idToken !== undefined && tokens.idToken !== params.idToken) {
      await operations.checkRefreshedIdToken(tokens.idToken, params.idToken);
    }
    return tokens;
  }

  /**
   * Forgets every renewal of `refreshToken` the refresher remembers, and the
   * one its coordinator may keep for other instances (the
   * `RedisRefreshCoordinator`'s published result), so that no caller gets the
   * tokens of a user who signed out: the sign-out handlers call it after
   * revoking the refresh token.
   *
   * @example
   * await refresher.forget(req.user.tokens.refreshToken);
   */
  async forget(refreshToken: string): Promise<void> {
    if (typeof refreshToken !== 'string' || !refreshToken) return;
    this.#memory.forget(refreshToken);
    await this.#coordinator.forget?.(refreshTokenKey(refreshToken));
  }

  /**
   * Returns `tokens` itself while the access token is valid for more than
   * `skewMs`, otherwise the result of {@link refresh}. When that fails with a
   * retryable error (JustLogin or Redis unavailable) while the access token has
   * not expired yet, `tokens` itself again: the next call tries again. Tokens
   * without `expiresAt` count as fresh. Rejects with {@link NoRefreshTokenError}
   * (`code: 'ENOREFRESHTOKEN'`), without a request, when a refresh is due but
   * `tokens` has no refresh token. `tokens` is never modified.
   *
   * @example
   * req.user.tokens = await refresher.ensureFresh(req.user.tokens);
   */
  async ensureFresh(tokens: JustLoginTokenSet, options: EnsureFreshOptions = {}): Promise<JustLoginTokenSet> {
    const { skewMs } = readOptions<{ skewMs: number }>('JustLoginRefresher.ensureFresh', options, ENSURE_FRESH_OPTIONS);
    if (!isExpired(tokens, skewMs)) return tokens;
    if (!tokens.refreshToken) {
      const missing = new NoRefreshTokenError();
      reportRenewal('failed', 'process', missing);
      throw missing;
    }
    const { refreshToken, accessToken, idToken, scope } = tokens;
    const canWait = !isExpired(tokens, 0);
    try {
      return await this.#observed({ refreshToken, accessToken, idToken, scope }, { canWait });
    } catch (error) {
      // JustLogin or the coordinator cannot renew right now: a valid access token still serves.
      if (canWait && (error as { retryable?: unknown } | null)?.retryable === true) return tokens;
      throw error;
    }
  }

  /** The token request and the set made of its answer; its id_token is checked by {@link refresh}. */
  async #renew({ refreshToken, accessToken, idToken, scope }: RefreshParams): Promise<JustLoginTokenSet> {
    const response = await clientOperations(this.client).tokenRequest(
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      accessToken,
    );
    const tokens = toTokenSet(response.access_token, response.refresh_token || refreshToken, response, Date.now());
    if (response.id_token === undefined && idToken) tokens.idToken = idToken;
    if (response.scope === undefined && scope) tokens.scope = scope;
    return tokens;
  }
}

/** Where a renewal's tokens, or its failure, came from, as the refresher learns it. */
interface RenewalReport extends Pick<JustLoginRenewalMessage, 'outcome' | 'source'> {
  /** True while the coordinator runs the renewal: a failure then may come from another instance. */
  coordinating: boolean;
}

/** Token sets renewed, and errors of renewals that failed, in this process: the coordinator's others came from elsewhere. */
const MADE_HERE = new WeakSet<object>();

/** `task`, what it resolves or rejects with noted as made in this process. */
function madeHereBy(task: () => Promise<JustLoginTokenSet>): () => Promise<JustLoginTokenSet> {
  const note = <T>(made: T): T => {
    if (typeof made === 'object' && made !== null) MADE_HERE.add(made);
    return made;
  };
  return () =>
    task().then(note, (error: unknown) => {
      throw note(error);
    });
}

/**
 * @internal `skewMs` wherever tokens are renewed when due (`ensureFresh`, the
 * framework middleware, the API client): milliseconds before the access token
 * expires.
 */
export const SKEW_MS: OptionSpec = { rule: rules.durationMs, default: 60_000, formerlySeconds: 'skewSeconds' };

/** @internal The options of {@link JustLoginRefresher.ensureFresh}. */
export const ENSURE_FRESH_OPTIONS = { skewMs: SKEW_MS } satisfies Record<keyof EnsureFreshOptions, OptionSpec>;

/** The refresher's settings: its options as read. */
interface RefresherSettings {
  readonly client?: JustLoginClient;
  readonly coordinator?: RefreshCoordinator;
  readonly graceMs: number;
}

/** Refuses a coordinator whose lock expires before a renewal times out (under a `timeout` that is valid). */
const coordinatorRule: OptionRule = (value, options) => {
  const problem = rules.withMethods('run')(value, options);
  if (problem) return problem;
  const { lockMs } = value as RefreshCoordinator;
  const timeout =
    options.client !== undefined
      ? (options.client as { timeout?: unknown }).timeout
      : (options.timeout ?? CLIENT_OPTIONS.timeout.default);
  if (lockMs === undefined || rules.positiveDurationMs(timeout, options)) return undefined;
  return typeof lockMs === 'number' && lockMs > (timeout as number)
    ? undefined
    : `has a \`lockMs\` (${String(lockMs)} ms) that must be longer than the refresh \`timeout\` (${String(timeout)} ms): a lock that expires while a renewal still runs lets another caller spend the same refresh token`;
};

/** Every option of the refresher: its own, then its client's. */
const REFRESHER_OPTIONS = {
  coordinator: { rule: coordinatorRule },
  graceMs: { rule: rules.durationMs, default: 60_000 },
  ...CLIENT_PART,
} satisfies Record<keyof JustLoginRefresherOwnOptions, OptionSpec> & Record<string, OptionSpec>;
