import { randomBytes } from 'node:crypto';
import { JustLoginOptionsError, JustLoginRequestError } from '../errors';
import { readOptions, rules, type OptionSpec } from '../client/options';
import { MemoryReplayStore, type ReplayStore } from '../client/replay-store';
import {
  RedisCommands,
  RedisUnavailableError,
  checkClient,
  type RedisClientLike,
  type RefreshCoordinatorLogger,
} from './commands';
import type { CoordinatedRunOptions, RefreshCoordinator } from '../renewal/refresher';
import { SingleFlight } from '../renewal/single-flight';
import { TokenSealer } from '../sealed-tokens';
import type { JustLoginTokenSet } from '../token-set';

/** How often a waiting instance looks for the result (ms). */
const POLL_MS = 50;
/** How much longer than one lock a waiting instance waits for a result (ms). */
const WAIT_MARGIN_MS = 1_000;
/** How often a renewal that cannot wait tries an unavailable Redis again (ms). */
const OUTAGE_POLL_MS = 100;
/** The most renewals kept for publishing once Redis answers again; the oldest go first. */
const MAX_UNPUBLISHED = 10_000;
/** Deletes the lock only when it still holds this owner's id. */
const RELEASE_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

const OPTIONS = {
  client: { rule: checkClient, required: true },
  secret: { rule: rules.secret(32), required: true },
  lockMs: { rule: rules.positiveDurationMs, default: 20_000 },
  resultMs: { rule: rules.positiveDurationMs, default: 30_000 },
  commandTimeoutMs: { rule: rules.positiveDurationMs, default: 1_000 },
  outageWaitMs: { rule: rules.durationMs, default: 10_000 },
  prefix: { rule: rules.string, default: 'passport-justlogin:refresh:' },
  logger: { rule: rules.withMethods('warn'), default: console },
} satisfies Record<keyof RedisRefreshCoordinatorOptions, OptionSpec>;

/**
 * Options of {@link RedisRefreshCoordinator}.
 *
 * @group Redis
 */
export interface RedisRefreshCoordinatorOptions {
  /**
   * A connected Redis client: node-redis 5 (`createClient()` or `createSentinel()`
   * from `redis`; not its cluster client) or ioredis (`new Redis()`, also in
   * Sentinel mode, or `new Redis.Cluster()`).
   */
  client: RedisClientLike;
  /**
   * Encrypts the published tokens (AES-256-GCM, key derived with HKDF-SHA256):
   * at least 32 characters (or bytes), kept secret, the same on every instance.
   * `undefined` (an unset environment variable) throws a `JustLoginOptionsError`.
   */
  secret: string | Buffer | undefined;
  /**
   * Milliseconds the lock lives: how long the other instances wait before they
   * take over from an instance that died while renewing. Must be longer than
   * the refresher's `timeout` (default 10000), the time its token request may
   * take (the only request made under the lock): `JustLoginRefresher` throws a
   * `JustLoginOptionsError` otherwise. Default 20000.
   */
  lockMs?: number;
  /** Milliseconds the renewed tokens stay readable for late callers that still hold the old refresh token. Default 30000. */
  resultMs?: number;
  /** Milliseconds a Redis command may take before the renewal goes on without Redis. Default 1000. */
  commandTimeoutMs?: number;
  /**
   * Milliseconds a renewal that cannot be put off (its access token has expired)
   * keeps trying an unavailable Redis before it renews in this process alone,
   * which another instance may be doing too. Default 10000.
   */
  outageWaitMs?: number;
  /** Prefix of the Redis keys. Default `'passport-justlogin:refresh:'`. */
  prefix?: string;
  /** Receives one warning per Redis outage. Default `console`. */
  logger?: RefreshCoordinatorLogger;
}

/**
 * Makes one refresh per refresh token across all instances of an app that
 * share a Redis, so that a rotating refresh token is never spent twice.
 *
 * In one process, concurrent callers share one call. Across
 * processes, the first takes a lock (`SET <prefix>{<key>}:lock <owner> NX PX lockMs`),
 * renews, publishes the encrypted result (`<prefix>{<key>}:result` for `resultMs`)
 * and releases the lock (only its own, with a compare-and-delete script). The
 * others poll for that result instead of renewing; when the lock disappears
 * without a result (the holder failed or died), one of them takes the lock and
 * renews itself. A caller waits at most `lockMs` + 1 s, then rejects with a
 * retryable `JustLoginRequestError` (`code: 'ETIMEDOUT'`).
 *
 * `key` is the SHA-256 of the refresh token (see {@link RefreshCoordinator}); in
 * braces, it is the keys' hash tag, so a Redis Cluster keeps both in one slot;
 * neither a token nor the secret is ever stored or logged in clear. When Redis
 * is unreachable (client not ready, an error, or no answer within
 * `commandTimeoutMs`), `logger.warn` says so once per outage and Redis is left
 * alone until a command every second finds it answering again. Meanwhile a
 * renewal that can wait (a still-valid access token) is put off, one that saw
 * another instance renewing rejects, and one that cannot wait keeps trying
 * Redis for `outageWaitMs`, then renews in this process; what Redis missed is
 * published once it answers (docs/several-instances.md tells it all).
 *
 * @example
 * const redis = createClient({ url: process.env.REDIS_URL });
 * await redis.connect();
 * // or redis's createSentinel({ name, sentinelRootNodes });
 * // or ioredis: new Redis(process.env.REDIS_URL), new Redis({ name, sentinels }) or new Redis.Cluster(nodes)
 * const coordinator = new RedisRefreshCoordinator({ client: redis, secret: process.env.SESSION_SECRET });
 * const refresher = JustLoginRefresher.fromStrategy(strategy, { coordinator });
 *
 * @group Redis
 */
export class RedisRefreshCoordinator implements RefreshCoordinator, ReplayStore {
  readonly #local = new SingleFlight<JustLoginTokenSet>();
  /** The ids of logout tokens claimed while Redis was unavailable. */
  readonly #localClaims = new MemoryReplayStore();
  readonly #redis: RedisCommands;
  readonly #sealer: TokenSealer;
  /** Milliseconds the lock lives (the `lockMs` option); `JustLoginRefresher` refuses a `timeout` that is not shorter. */
  readonly lockMs: number;
  readonly #resultMs: number;
  readonly #outageWaitMs: number;
  readonly #prefix: string;
  /**
   * Renewals Redis missed, by result key: published, and their locks released, once it answers
   * again; without `sealed`, a lock a put-off renewal may hold, to release.
   */
  readonly #unpublished = new Map<string, { sealed?: string; lockKey: string; owner: string; until: number }>();

  /**
   * Throws a {@link JustLoginOptionsError} listing every option that is missing, unknown or invalid.
   *
   * @example
   * new RedisRefreshCoordinator({ client: redis, secret, lockMs: 15_000, logger: pinoLogger });
   */
  constructor(options: RedisRefreshCoordinatorOptions) {
    const settings = readOptions<Required<RedisRefreshCoordinatorOptions>>('RedisRefreshCoordinator', options, OPTIONS);
    this.lockMs = settings.lockMs;
    this.#resultMs = settings.resultMs;
    this.#outageWaitMs = settings.outageWaitMs;
    this.#redis = new RedisCommands(settings.client, settings.commandTimeoutMs, settings.logger, () => {
      void this.#publishMissed();
    });
    this.#sealer = new TokenSealer(settings.secret as string | Buffer); // checked: given
    this.#prefix = settings.prefix;
  }

  /**
   * Runs `task` here, or gets its result from the instance that runs it.
   * `key` must be the SHA-256 (hex) of the refresh token. While Redis is
   * unavailable, `task` runs here unless another instance was seen renewing
   * these tokens or `options.canWait` says the renewal can wait: then `run`
   * rejects with a retryable `JustLoginRequestError` (`code: 'ETIMEDOUT'`).
   *
   * @example
   * const tokens = await coordinator.run(sha256Hex(refreshToken), () => renew(refreshToken));
   */
  run(
    key: string,
    task: () => Promise<JustLoginTokenSet>,
    options?: CoordinatedRunOptions,
  ): Promise<JustLoginTokenSet> {
    if (typeof key !== 'string' || !/^[0-9a-f]{64}$/.test(key)) {
      return Promise.reject(
        new JustLoginOptionsError('RedisRefreshCoordinator.run', ['`key` must be a SHA-256 hex digest']),
      );
    }
    return this.#local.run(key, () => this.#acrossInstances(key, task, options?.canWait === true));
  }

  async #acrossInstances(
    key: string,
    task: () => Promise<JustLoginTokenSet>,
    canWait: boolean,
  ): Promise<JustLoginTokenSet> {
    const lockKey = `${this.#prefix}{${key}}:lock`;
    const resultKey = `${this.#prefix}{${key}}:result`;
    const owner = randomBytes(16).toString('hex');
    const deadline = Date.now() + this.lockMs + WAIT_MARGIN_MS;
    const giveUpAt = Date.now() + this.#outageWaitMs;
    let waited = false;
    /** A lock command of ours got no answer: Redis may still carry it out, and the lock be ours. */
    let unanswered = false;
    // A renewal that cannot wait tries Redis even during an outage: renewing alone is the last resort.
    const trial = !canWait;
    for (;;) {
      try {
        for (;;) {
          const lock = ['SET', lockKey, owner, 'NX', 'PX', String(this.lockMs)];
          let locked: boolean;
          try {
            locked = (await this.#redis.send(lock, { trial })) !== null;
          } catch (error) {
            unanswered = true;
            throw error;
          }
          if (!locked && unanswered) locked = (await this.#redis.send(['GET', lockKey], { trial })) === owner;
          // Read after locking: a holder publishes before it releases, so a lock we got means
          // either a result is already there or nobody renewed.
          const published = await this.#redis.send(['GET', resultKey], { trial });
          if (published != null) {
            if (locked) await this.#release(lockKey, owner, trial);
            return this.#open(published, resultKey);
          }
          if (locked) return await this.#renewAsOwner(lockKey, resultKey, owner, task, trial);
          waited = true;
          if (Date.now() >= deadline) {
            throw new JustLoginRequestError(
              `passport-justlogin: another instance did not finish renewing these tokens within ${this.lockMs + WAIT_MARGIN_MS} ms`,
              'ETIMEDOUT',
              { retryable: true },
            );
          }
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
      } catch (error) {
        if (!(error instanceof RedisUnavailableError)) throw error;
        // Waiting for another instance, a renewal that cannot be put off keeps trying Redis until
        // the lock would have expired: Redis may only be slow for a moment.
        const keepWaiting = waited && !canWait && Date.now() < deadline;
        if (!keepWaiting && (waited || canWait)) {
          // A lock command that got no answer may still take the lock: released once Redis answers.
          if (unanswered && !this.#unpublished.has(resultKey)) {
            this.#keep(resultKey, { lockKey, owner, until: Date.now() + this.lockMs });
          }
          throw new JustLoginRequestError(
            `passport-justlogin: ${error.message}, so this renewal was put off: ${waited ? 'another instance was renewing these tokens' : 'the access token is still valid'}`,
            'ETIMEDOUT',
            { retryable: true },
          );
        }
        // Renewing here could spend a refresh token another instance is spending: only when it must,
        // and published once Redis answers, for the instances that still hold the spent token.
        if (!waited && Date.now() >= giveUpAt) {
          const tokens = await task();
          this.#publishLater(resultKey, lockKey, owner, tokens);
          return tokens;
        }
        await new Promise((resolve) => setTimeout(resolve, OUTAGE_POLL_MS));
      }
    }
  }

  async #renewAsOwner(
    lockKey: string,
    resultKey: string,
    owner: string,
    task: () => Promise<JustLoginTokenSet>,
    trial: boolean,
  ): Promise<JustLoginTokenSet> {
    let tokens: JustLoginTokenSet;
    try {
      tokens = await task();
    } catch (error) {
      await this.#release(lockKey, owner, trial);
      throw error;
    }
    try {
      await this.#redis.send(['SET', resultKey, this.#sealer.seal(tokens, resultKey), 'PX', String(this.#resultMs)], {
        trial,
      });
      await this.#release(lockKey, owner, trial);
    } catch {
      // The tokens are good here. The lock stays (others wait rather than spend the refresh token)
      // until Redis answers again and the result is published, or until it expires.
      this.#publishLater(resultKey, lockKey, owner, tokens);
    }
    return tokens;
  }

  /** Keeps a renewal Redis did not get, to publish it (and release its lock) once Redis answers again. */
  #publishLater(resultKey: string, lockKey: string, owner: string, tokens: JustLoginTokenSet): void {
    const sealed = this.#sealer.seal(tokens, resultKey);
    this.#keep(resultKey, { sealed, lockKey, owner, until: Date.now() + this.#resultMs });
  }

  #keep(resultKey: string, missed: { sealed?: string; lockKey: string; owner: string; until: number }): void {
    this.#unpublished.set(resultKey, missed);
    if (this.#unpublished.size > MAX_UNPUBLISHED) this.#unpublished.delete(this.#unpublished.keys().next().value!);
  }

  /** Publishes the renewals Redis missed (unless another result is there) and releases their locks. */
  async #publishMissed(): Promise<void> {
    for (const [resultKey, { sealed, lockKey, owner, until }] of this.#unpublished) {
      const left = until - Date.now();
      try {
        if (sealed && left > 0) await this.#redis.send(['SET', resultKey, sealed, 'PX', String(left), 'NX']);
      } catch {
        return; // unavailable again: the rest waits for the next time it answers
      }
      this.#unpublished.delete(resultKey);
      await this.#release(lockKey, owner);
    }
  }

  /**
   * Deletes the published renewal of the refresh token whose SHA-256 (hex) is
   * `key`, for a sign-out. When Redis is unavailable it expires on its own,
   * within `resultMs`.
   */
  async forget(key: string): Promise<void> {
    const resultKey = `${this.#prefix}{${key}}:result`;
    this.#unpublished.delete(resultKey);
    await this.#redis.send(['DEL', resultKey]).catch(() => undefined);
  }

  /**
   * Claims the id of a logout token for `ttlMs` across every instance
   * (`SET <prefix>logout:{<id>} 1 NX PX ttlMs`): `true` the first time,
   * `false` for a replay. Give the coordinator to `JustLoginClient` as
   * `replayStore`. While Redis is unavailable, ids are claimed in this
   * process only.
   */
  async claim(id: string, ttlMs: number): Promise<boolean> {
    try {
      const set = await this.#redis.send(['SET', `${this.#prefix}logout:{${id}}`, '1', 'NX', 'PX', String(ttlMs)]);
      return set !== null;
    } catch {
      return this.#localClaims.claim(id, ttlMs);
    }
  }

  /** Deletes the lock if it is still ours; when Redis cannot, the lock expires on its own. */
  async #release(lockKey: string, owner: string, trial = false): Promise<void> {
    await this.#redis.send(['EVAL', RELEASE_SCRIPT, '1', lockKey, owner], { trial }).catch(() => undefined);
  }

  #open(published: unknown, resultKey: string): JustLoginTokenSet {
    const tokens = typeof published === 'string' ? this.#sealer.open(published, resultKey) : undefined;
    if (!tokens) {
      throw new JustLoginRequestError(
        'passport-justlogin: tokens renewed by another instance could not be decrypted; every instance must use the same `secret`',
        'EDECRYPT',
        { retryable: false },
      );
    }
    return tokens;
  }
}
