/**
 * Where the ids of accepted logout tokens are kept, so that each is accepted
 * once: `claim(id, ttlMs)` resolves `true` when `id` was not claimed within
 * the last `ttlMs` milliseconds (and claims it), `false` for a replay. The
 * default keeps them in this process (in memory); a
 * `RedisRefreshCoordinator` keeps them in Redis, for every instance of the app.
 *
 * @example
 * const client = new JustLoginClient({ clientID, clientSecret, replayStore: coordinator });
 *
 * @group Sign-out
 */
export interface ReplayStore {
  /** Claims `id` for `ttlMs` milliseconds: `true` the first time, `false` while it is claimed. */
  claim(id: string, ttlMs: number): Promise<boolean>;
}

/** The most ids a memory keeps; past it the oldest is forgotten. */
const MAX_IDS = 100_000;

/**
 * A {@link ReplayStore} in this process's memory: at most 100,000 ids, each
 * forgotten when its time is up or, past that number, oldest first.
 */
export class MemoryReplayStore implements ReplayStore {
  /** Claimed ids and when each may be claimed again (epoch milliseconds), in the order claimed. */
  readonly #claimed = new Map<string, number>();
  readonly #maxIds: number;

  constructor(maxIds = MAX_IDS) {
    this.#maxIds = maxIds;
  }

  claim(id: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const until = this.#claimed.get(id);
    if (until !== undefined && until > now) return Promise.resolve(false);
    this.#claimed.delete(id);
    this.#claimed.set(id, now + ttlMs);
    for (const [oldest, expiry] of this.#claimed) {
      if (this.#claimed.size <= this.#maxIds && expiry > now) break;
      this.#claimed.delete(oldest);
    }
    return Promise.resolve(true);
  }
}
