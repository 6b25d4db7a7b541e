// When a failed API call is tried again, and after how long.

/** Statuses after which a GET is tried again: too many requests, and a gateway or server that is unavailable. */
const RETRY_STATUSES: readonly number[] = [429, 502, 503, 504];
/** The most times one call is tried again. */
export const MAX_RETRIES = 2;
/** The longest `Retry-After` waited for; JustLogin asking for longer fails the call with `retryAfter` set. */
export const MAX_RETRY_AFTER_MS = 10_000;
/** The backoff before the first retry is 1–2 times this, then doubles. */
const BACKOFF_MS = 125;

/** The clock of retries; tests replace `sleep` and `now` so that nothing waits. */
export const retryClock = {
  now: (): number => Date.now(),
  sleep: (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** True when a GET that got `status` is tried again. */
export function isRetryStatus(status: number): boolean {
  return RETRY_STATUSES.includes(status);
}

/**
 * Milliseconds `Retry-After` asks to wait (RFC 9110 §10.2.3: seconds, or an
 * HTTP date), 0 for a date in the past, `undefined` when absent or unreadable.
 */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  if (typeof header !== 'string') return undefined;
  const value = header.trim();
  if (/^\d{1,10}$/.test(value)) return Number(value) * 1000;
  const at = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Milliseconds to wait before retry number `retry` (0 for the first): what
 * `Retry-After` asked plus a jittered backoff (125–250 ms, then 250–500 ms),
 * or `undefined` when no retry is left or `Retry-After` asks for more than
 * {@link MAX_RETRY_AFTER_MS}.
 */
export function retryDelay(
  retry: number,
  askedMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (retry >= MAX_RETRIES || (askedMs !== undefined && askedMs > MAX_RETRY_AFTER_MS)) return undefined;
  const backoff = BACKOFF_MS * 2 ** retry;
  return (askedMs ?? 0) + Math.round(backoff + random() * backoff);
}
