// Starts several servers at once, all or nothing.

/** Anything a test starts and must stop: a child process, a server. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Waits for every start; when one fails, stops the ones that did start and rejects with the
 * first failure, so a failed set-up leaves nothing running.
 */
export async function startAll<T extends Stoppable[]>(starts: [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const outcomes = await Promise.allSettled(starts as Promise<Stoppable>[]);
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  const started = outcomes.filter((outcome) => outcome.status === 'fulfilled').map((outcome) => outcome.value);
  if (!failed) return started as T;
  await Promise.allSettled(started.map((part) => part.stop()));
  throw failed.reason;
}
