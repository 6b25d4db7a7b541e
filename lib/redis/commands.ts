/**
 * The part of a node-redis 5 client (`createClient()` from `redis`) that
 * {@link RedisRefreshCoordinator} uses.
 *
 * @inline
 */
export interface NodeRedisClientLike {
  /** `true` while connected and ready; commands are not sent otherwise. */
  readonly isReady: boolean;
  /** Sends one raw command, e.g. `['GET', key]`. */
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * The part of node-redis 5's sentinel client (`createSentinel()` from `redis`)
 * that {@link RedisRefreshCoordinator} uses.
 *
 * @inline
 */
export interface NodeRedisSentinelLike {
  /** `true` while connected to the master and ready; commands are not sent otherwise. */
  readonly isReady: boolean;
  /** Sends one raw command to the master (`isReadonly` false), e.g. `(false, ['GET', key])`. */
  sendCommand(isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  /** Where the master is: what tells this client from a single-server one. */
  getMasterNode(): unknown;
}

/**
 * The part of an ioredis client (`new Redis()` or `new Redis.Cluster()` from
 * `ioredis`) that {@link RedisRefreshCoordinator} uses.
 *
 * @inline
 */
export interface IORedisClientLike {
  /** `'ready'` while connected and ready; commands are not sent otherwise. */
  readonly status: string;
  /** Sends one raw command, e.g. `call('GET', key)`. */
  call(command: string, ...args: string[]): Promise<unknown>;
}

/**
 * A Redis client {@link RedisRefreshCoordinator} takes: a node-redis 5 client
 * or sentinel client, or an ioredis client (single server, Sentinel mode or
 * cluster). Structural: neither `redis` nor `ioredis` is ever loaded by this
 * package; pass the client your app already connected.
 *
 * @group Redis
 */
export type RedisClientLike = NodeRedisClientLike | NodeRedisSentinelLike | IORedisClientLike;

/**
 * Where {@link RedisRefreshCoordinator} reports that Redis is unreachable.
 *
 * @group Redis
 */
export interface RefreshCoordinatorLogger {
  /** Called with one line of text. */
  warn(message: string): void;
}

/** Redis did not carry out a command: not ready, an error reply, or no answer in time. */
export class RedisUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`Redis is unavailable (${reason})`);
    this.name = 'RedisUnavailableError';
  }
}

function isNodeRedis(client: unknown): client is NodeRedisClientLike {
  const candidate = client as Partial<Record<keyof NodeRedisClientLike, unknown>> | null;
  return typeof candidate?.sendCommand === 'function' && typeof candidate.isReady === 'boolean';
}

function isNodeRedisSentinel(client: unknown): client is NodeRedisSentinelLike {
  const candidate = client as Partial<Record<keyof NodeRedisSentinelLike, unknown>> | null;
  return isNodeRedis(client) && typeof candidate?.getMasterNode === 'function';
}

function isIORedis(client: unknown): client is IORedisClientLike {
  const candidate = client as Partial<Record<keyof IORedisClientLike, unknown>> | null;
  return typeof candidate?.call === 'function' && typeof candidate.status === 'string';
}

/** The option rule for `client`: what is wrong with it, or `undefined` when it is a client of either shape. */
export function checkClient(client: unknown): string | undefined {
  return isNodeRedis(client) || isIORedis(client)
    ? undefined
    : 'must be a node-redis client or sentinel client (`isReady` and `sendCommand`) or an ioredis client or cluster (`status` and `call`)';
}

/** Milliseconds between two tries of Redis while it is unavailable. */
const RETRY_MS = 1_000;
/** Outages that begin less than this many milliseconds after the last warning are not warned of again. */
const QUIET_MS = 30_000;
/** A command timer that fires later than this (ms) found this process busy. */
const LATE_MS = 25;

/**
 * Sends commands that fail fast instead of waiting for Redis: none is sent
 * while the client is not ready (both libraries would queue it until they
 * reconnect), and one that gets no answer within `timeout` ms fails. Every
 * failure rejects with {@link RedisUnavailableError}. The first failure of an
 * outage logs one warning (unless one was logged less than `QUIET_MS` before:
 * a Redis that flaps is one outage) and opens the circuit: from then on commands fail at
 * once, without being sent, while every `RETRY_MS` one command in the
 * background (`EXISTS` of the key that failed, so that in a cluster it reaches
 * the same node) tries Redis again; the first that succeeds ends the outage
 * and calls `onRecovered`. A `trial` command is sent even during an outage,
 * which its success or failure neither ends nor starts (in a cluster that lost
 * one master, a trial on another tells nothing about the lost one).
 */
export class RedisCommands {
  /** Why Redis is unavailable, while it is; `undefined` while commands are sent. */
  #outage: RedisUnavailableError | undefined;
  /** When the last warning was logged (epoch ms). */
  #warnedAt = -Infinity;
  readonly #ready: () => boolean;
  readonly #send: (args: string[]) => Promise<unknown>;
  readonly #timeout: number;
  readonly #logger: RefreshCoordinatorLogger;
  readonly #onRecovered: () => void;
  /** What the warning says happens until Redis answers again. */
  readonly #meanwhile: string;

  /** `client` must pass {@link checkClient}. */
  constructor(
    client: RedisClientLike,
    timeout: number,
    logger: RefreshCoordinatorLogger,
    onRecovered: () => void = () => {},
    meanwhile = 'JustLogin token renewals are coordinated within this process only until Redis answers again (other instances may renew the same refresh token meanwhile).',
  ) {
    this.#timeout = timeout;
    this.#logger = logger;
    this.#onRecovered = onRecovered;
    this.#meanwhile = meanwhile;
    if (isNodeRedisSentinel(client)) {
      this.#ready = () => client.isReady;
      this.#send = (args) => client.sendCommand(false, args);
    } else if (isNodeRedis(client)) {
      this.#ready = () => client.isReady;
      this.#send = (args) => client.sendCommand(args);
    } else {
      this.#ready = () => client.status === 'ready';
      this.#send = ([command, ...args]) => client.call(command, ...args);
    }
  }

  /**
   * Sends `args`, e.g. `['GET', key]`; rejects with {@link RedisUnavailableError}, at once while
   * Redis is unavailable unless `trial` (a command that must try Redis rather than do without it).
   */
  async send(args: string[], { trial = false } = {}): Promise<unknown> {
    if (this.#outage) {
      if (trial) return this.#attempt(args);
      throw new RedisUnavailableError(this.#outage.reason);
    }
    try {
      return await this.#attempt(args);
    } catch (error) {
      const unavailable = error as RedisUnavailableError;
      if (!this.#outage) this.#open(unavailable, args);
      throw unavailable;
    }
  }

  async #attempt(args: string[]): Promise<unknown> {
    try {
      if (!this.#ready()) throw new RedisUnavailableError('the client is not connected');
      return await this.#withTimeout(this.#send(args));
    } catch (error) {
      throw error instanceof RedisUnavailableError ? error : new RedisUnavailableError(firstLine(error));
    }
  }

  /**
   * `reply`, or a rejection once it has had `timeout` ms to come. Time this process spent busy does not
   * count: a timer that fires late (the answer may be unread, or even the command unwritten, as node-redis
   * writes on the next turn of the event loop) waits once more for as long as it was late, at most
   * `timeout`; and it fails only after the event loop has read what arrived (setImmediate runs after that).
   */
  #withTimeout<T>(reply: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      const fail = () => reject(new RedisUnavailableError(`no answer within ${this.#timeout} ms`));
      const wait = (ms: number, again: boolean) => {
        const due = performance.now() + ms;
        timer = setTimeout(() => {
          const late = performance.now() - due;
          if (again && late > LATE_MS) wait(Math.min(late, this.#timeout), false);
          else setImmediate(fail);
        }, ms);
      };
      wait(this.#timeout, true);
    });
    return Promise.race([reply, timedOut]).finally(() => clearTimeout(timer));
  }

  /** Starts an outage: one warning, then a try every RETRY_MS until Redis answers. */
  #open(error: RedisUnavailableError, failed: string[]): void {
    this.#outage = error;
    if (!(Date.now() - this.#warnedAt < QUIET_MS)) {
      this.#warnedAt = Date.now();
      this.#logger.warn(`passport-justlogin: ${error.message}; ${this.#meanwhile}`);
    }
    const probe = ['EXISTS', failed[0] === 'EVAL' ? failed[3] : failed[1]];
    const retry = () => {
      this.#attempt(probe).then(
        () => {
          this.#outage = undefined;
          this.#onRecovered();
        },
        () => setTimeout(retry, RETRY_MS).unref(),
      );
    };
    setTimeout(retry, RETRY_MS).unref();
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].slice(0, 200);
}
