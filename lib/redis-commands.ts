/**
 * The part of a node-redis client (`createClient()` from `redis` 5) that
 * {@link RedisRefreshCoordinator} uses. Structural: `redis` is never loaded by
 * this package; pass the client your app already connected.
 */
export interface RedisClientLike {
  /** `true` while connected and ready; commands are not sent otherwise. */
  readonly isReady: boolean;
  /** Sends one raw command, e.g. `['GET', key]`. */
  sendCommand(args: string[]): Promise<unknown>;
}

/** Where {@link RedisRefreshCoordinator} reports that Redis is unreachable. */
export interface RefreshCoordinatorLogger {
  warn(message: string): void;
}

/** Redis did not carry out a command: not ready, an error reply, or no answer in time. */
export class RedisUnavailableError extends Error {
  constructor(reason: string) {
    super(`Redis is unavailable (${reason})`);
    this.name = 'RedisUnavailableError';
  }
}

/**
 * Sends commands that fail fast instead of waiting for Redis: none is sent
 * while the client is not ready (node-redis would queue it until it
 * reconnects), and one that gets no answer within `timeout` ms fails. Every
 * failure rejects with {@link RedisUnavailableError}; the first one of an
 * outage logs one warning, and the next command that succeeds ends the outage.
 */
export class RedisCommands {
  #outage = false;

  constructor(
    private readonly client: RedisClientLike,
    private readonly timeout: number,
    private readonly logger: RefreshCoordinatorLogger,
  ) {}

  async send(args: string[]): Promise<unknown> {
    let reply: unknown;
    try {
      if (!this.client.isReady) throw new RedisUnavailableError('the client is not connected');
      reply = await this.#withTimeout(this.client.sendCommand(args));
    } catch (error) {
      const unavailable = error instanceof RedisUnavailableError ? error : new RedisUnavailableError(firstLine(error));
      this.#warnOnce(unavailable);
      throw unavailable;
    }
    this.#outage = false;
    return reply;
  }

  #withTimeout<T>(reply: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisUnavailableError(`no answer within ${this.timeout} ms`)), this.timeout);
    });
    return Promise.race([reply, timedOut]).finally(() => clearTimeout(timer));
  }

  #warnOnce(error: RedisUnavailableError): void {
    if (this.#outage) return;
    this.#outage = true;
    this.logger.warn(
      `passport-justlogin: ${error.message}; JustLogin token renewals are coordinated within this process only ` +
        'until Redis answers again (other instances may renew the same refresh token meanwhile).',
    );
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].slice(0, 200);
}
