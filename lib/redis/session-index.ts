import { hash } from 'node:crypto';
import { readOptions, rules, type OptionSpec } from '../client/options';
import { checkOwner, type SessionIndex, type SessionOwner, type SignedOut } from '../sign-out/session-index';
import { RedisCommands, checkClient, type RedisClientLike, type RefreshCoordinatorLogger } from './commands';

/**
 * Options of {@link RedisSessionIndex}.
 *
 * @group Redis
 */
export interface RedisSessionIndexOptions {
  /** A connected Redis client, as `RedisRefreshCoordinator` takes it (node-redis 5 or ioredis); it may be the same one. */
  client: RedisClientLike;
  /** Milliseconds a session stays indexed: at least as long as the app's sessions last. Default 86400000 (one day, connect-redis's default). */
  ttlMs?: number;
  /** Milliseconds a Redis command may take before it counts as failed. Default 1000. */
  commandTimeoutMs?: number;
  /** Prefix of the Redis keys. Default `'passport-justlogin:sessions:'`. */
  prefix?: string;
  /** Receives one warning per Redis outage. Default `console`. */
  logger?: RefreshCoordinatorLogger;
}

const OPTIONS = {
  client: { rule: checkClient, required: true },
  ttlMs: { rule: rules.positiveDurationMs, default: 86_400_000 },
  commandTimeoutMs: { rule: rules.positiveDurationMs, default: 1_000 },
  prefix: { rule: rules.string, default: 'passport-justlogin:sessions:' },
  logger: { rule: rules.withMethods('warn'), default: console },
} satisfies Record<keyof RedisSessionIndexOptions, OptionSpec>;

/**
 * A `SessionIndex` in Redis, shared by every instance of the app: a
 * back-channel logout that reaches one instance finds the sessions every
 * instance made. Keys: a set of session ids per JustLogin session
 * (`<prefix>sid:<SHA-256 of sid>`) and per user (`<prefix>sub:<SHA-256 of sub>`),
 * and each session's owner (`<prefix>session:<session id>`), all expiring after
 * `ttlMs`. While Redis is unavailable (see `commandTimeoutMs`), sign-ins are
 * not indexed (a back-channel logout cannot find them) and a back-channel
 * logout fails, so that JustLogin hears of it; `logger.warn` says so once per outage.
 *
 * @example
 * const sessions = new RedisSessionIndex({ client: redis });
 * // at the end of the callback route, once signed in:
 * await sessions.add(req.sessionID, req.user.claims);
 *
 * @group Redis
 */
export class RedisSessionIndex implements SessionIndex {
  readonly #redis: RedisCommands;
  readonly #ttl: string;
  readonly #prefix: string;

  /** Throws a `JustLoginOptionsError` listing every option that is missing, unknown or invalid. */
  constructor(options: RedisSessionIndexOptions) {
    const settings = readOptions<Required<RedisSessionIndexOptions>>('RedisSessionIndex', options, OPTIONS);
    this.#redis = new RedisCommands(
      settings.client,
      settings.commandTimeoutMs,
      settings.logger,
      undefined,
      'sign-ins are not indexed for back-channel logout, and back-channel logouts fail, until Redis answers again.',
    );
    this.#ttl = String(settings.ttlMs);
    this.#prefix = settings.prefix;
  }

  /** Indexes the session; resolves even when Redis is unavailable (the sign-in must not fail for it). */
  async add(sessionID: string, owner: SessionOwner): Promise<void> {
    const { sub, sid } = checkOwner('RedisSessionIndex', sessionID, owner);
    const sets = [this.#key('sub', sub), ...(sid === undefined ? [] : [this.#key('sid', sid)])];
    try {
      await this.#redis.send(['SET', this.#sessionKey(sessionID), JSON.stringify({ sub, sid }), 'PX', this.#ttl]);
      for (const set of sets) {
        await this.#redis.send(['SADD', set, sessionID]);
        await this.#redis.send(['PEXPIRE', set, this.#ttl]);
      }
    } catch {
      // RedisCommands warned: this sign-in is not indexed.
    }
  }

  /** Forgets the session; resolves even when Redis is unavailable (its keys expire on their own). */
  async remove(sessionID: string): Promise<void> {
    try {
      await this.#forget(sessionID);
    } catch {
      // RedisCommands warned.
    }
  }

  /** The sessions of `sid` (or else `sub`), forgotten as they are returned; rejects while Redis is unavailable. */
  async take(signedOut: SignedOut): Promise<string[]> {
    const set = signedOut.sid !== undefined ? this.#key('sid', signedOut.sid) : this.#key('sub', signedOut.sub ?? '');
    const members = await this.#redis.send(['SMEMBERS', set]);
    const sessionIDs = Array.isArray(members) ? members.filter((id): id is string => typeof id === 'string') : [];
    const live: string[] = [];
    for (const sessionID of sessionIDs) {
      if (await this.#forget(sessionID)) live.push(sessionID);
    }
    await this.#redis.send(['DEL', set]);
    return live;
  }

  /** Deletes the session's owner and takes it out of its sets; resolves whether it was indexed still. */
  async #forget(sessionID: string): Promise<boolean> {
    const stored = await this.#redis.send(['GET', this.#sessionKey(sessionID)]);
    if (typeof stored !== 'string') return false;
    const { sub, sid } = JSON.parse(stored) as { sub: string; sid?: string };
    for (const set of [this.#key('sub', sub), ...(sid === undefined ? [] : [this.#key('sid', sid)])]) {
      await this.#redis.send(['SREM', set, sessionID]);
    }
    await this.#redis.send(['DEL', this.#sessionKey(sessionID)]);
    return true;
  }

  #key(kind: 'sid' | 'sub', value: string): string {
    return `${this.#prefix}${kind}:${hash('sha256', value, 'hex')}`;
  }

  #sessionKey(sessionID: string): string {
    return `${this.#prefix}session:${sessionID}`;
  }
}
