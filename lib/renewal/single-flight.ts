/**
 * Runs at most one task per key at a time in this process: a call made while
 * the task for its key is still running gets that task's promise, so every
 * caller sees the same result or the same error. The entry is removed as soon
 * as the task settles; nothing is kept afterwards: the next call for the key
 * runs its own task. (Renewals that must outlive their request are
 * remembered by `JustLoginRefresher` itself, for `graceMs`.)
 *
 * {@link JustLoginRefresher} uses one as its default coordinator.
 *
 * @example
 * const flight = new SingleFlight<JustLoginTokenSet>();
 * const [a, b] = await Promise.all([
 *   flight.run('key', () => renew()),
 *   flight.run('key', () => renew()), // joins the first call; renew() runs once
 * ]);
 */
export class SingleFlight<T> {
  readonly #running = new Map<string, Promise<T>>();

  /**
   * Returns the running task's promise for `key`, or starts `task` and
   * returns its promise.
   *
   * @example
   * const tokens = await flight.run(hash(refreshToken), () => endpoint.request(params));
   */
  run(key: string, task: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running) return running;
    // `then` starts the task after the entry is stored, even if `task` throws at once.
    const started = Promise.resolve()
      .then(task)
      .finally(() => this.#running.delete(key));
    this.#running.set(key, started);
    return started;
  }
}
