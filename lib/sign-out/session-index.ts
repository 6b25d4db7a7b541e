import { JustLoginOptionsError } from '../errors';
import { readOptions, rules, type OptionSpec } from '../client/options';

/**
 * Whose JustLogin sign-in an app session holds: the `sub` and `sid` of its id_token (e.g. `req.user.claims`).
 *
 * @group Sign-out
 */
export interface SessionOwner {
  /** The user (`sub`); a non-empty string. */
  readonly sub?: unknown;
  /** JustLogin's session (`sid`), when the id_token names one. */
  readonly sid?: unknown;
}

/**
 * What a back-channel logout token names: a JustLogin session (`sid`), or else a user (`sub`).
 *
 * @group Sign-out
 */
export interface SignedOut {
  /** JustLogin's session id (the logout token's or id_token's `sid`). */
  sid?: string;
  /** The user (`sub`): every session of the user when no `sid` is given. */
  sub?: string;
}

/**
 * Which sessions of the app belong to which JustLogin sign-in, so that a
 * back-channel logout can end them: written at sign-in (`add`), removed at
 * sign-out (`remove`), read and emptied by the logout (`take`). The app's
 * sessions themselves stay in its session store. {@link MemorySessionIndex}
 * serves one instance; `RedisSessionIndex` (`passport-justlogin/redis`) every
 * instance that shares a Redis.
 *
 * @group Sign-out
 */
export interface SessionIndex {
  /** Records that the app's session `sessionID` holds the sign-in of `owner` (its `sub`, and `sid` when named). */
  add(sessionID: string, owner: SessionOwner): Promise<void>;
  /** Forgets the app's session `sessionID` (at sign-out). */
  remove(sessionID: string): Promise<void>;
  /** The app's sessions of JustLogin session `sid`, or, without `sid`, of user `sub`: forgotten as they are returned. */
  take(signedOut: SignedOut): Promise<string[]>;
}

/** One indexed session. */
interface Entry {
  sub: string;
  sid?: string;
  /** Epoch milliseconds after which it is forgotten. */
  expiresAt: number;
}

/** The most sessions a memory keeps; past it the oldest are forgotten. */
const MAX_SESSIONS = 100_000;

/**
 * Options of {@link MemorySessionIndex}.
 *
 * @group Sign-out
 */
export interface MemorySessionIndexOptions {
  /** Milliseconds a session is kept: at least as long as the app's sessions last. Default 86400000 (one day). */
  ttlMs?: number;
}

const OPTIONS = {
  ttlMs: { rule: rules.positiveDurationMs, default: 86_400_000 },
} satisfies Record<keyof MemorySessionIndexOptions, OptionSpec>;

/**
 * A {@link SessionIndex} in this process's memory, for an app that runs as
 * one instance: each session is kept `ttlMs` (default one day, as long as
 * connect-redis keeps a session by default), at most 100,000 of them (the
 * oldest go first).
 *
 * @example
 * const sessions = new MemorySessionIndex();
 * // at the end of the callback route, once signed in:
 * await sessions.add(req.sessionID, req.user.claims);
 *
 * @group Sign-out
 */
export class MemorySessionIndex implements SessionIndex {
  /** By session id, in the order added. */
  readonly #sessions = new Map<string, Entry>();
  /** Session ids by `sid:<sid>` and `sub:<sub>`. */
  readonly #owners = new Map<string, Set<string>>();
  readonly #ttlMs: number;
  readonly #maxSessions: number;

  /** Throws a `JustLoginOptionsError` naming an option that is unknown or invalid. */
  constructor(options: MemorySessionIndexOptions = {}, maxSessions = MAX_SESSIONS) {
    this.#ttlMs = readOptions<Required<MemorySessionIndexOptions>>('MemorySessionIndex', options, OPTIONS).ttlMs;
    this.#maxSessions = maxSessions;
  }

  add(sessionID: string, owner: SessionOwner): Promise<void> {
    // In the executor, so that a sign-in without `sub` rejects rather than throws.
    return new Promise((resolve) => {
      const { sub, sid } = checkOwner('MemorySessionIndex', sessionID, owner);
      const now = Date.now();
      this.#delete(sessionID);
      this.#sessions.set(sessionID, { sub, sid, expiresAt: now + this.#ttlMs });
      for (const key of keysOf(sub, sid)) this.#owners.set(key, (this.#owners.get(key) ?? new Set()).add(sessionID));
      for (const [oldest, entry] of this.#sessions) {
        if (this.#sessions.size <= this.#maxSessions && entry.expiresAt > now) break;
        this.#delete(oldest);
      }
      resolve();
    });
  }

  remove(sessionID: string): Promise<void> {
    this.#delete(sessionID);
    return Promise.resolve();
  }

  take(signedOut: SignedOut): Promise<string[]> {
    const key = signedOut.sid !== undefined ? `sid:${signedOut.sid}` : `sub:${signedOut.sub}`;
    const now = Date.now();
    const taken = [...(this.#owners.get(key) ?? [])].filter(
      (sessionID) => (this.#sessions.get(sessionID)?.expiresAt ?? 0) > now,
    );
    for (const sessionID of this.#owners.get(key) ?? []) this.#delete(sessionID);
    return Promise.resolve(taken);
  }

  #delete(sessionID: string): void {
    const entry = this.#sessions.get(sessionID);
    if (!entry) return;
    this.#sessions.delete(sessionID);
    for (const key of keysOf(entry.sub, entry.sid)) {
      const ids = this.#owners.get(key);
      ids?.delete(sessionID);
      if (ids?.size === 0) this.#owners.delete(key);
    }
  }
}

/** The index keys of a sign-in: its user's, and its session's when it has one. */
function keysOf(sub: string, sid: string | undefined): string[] {
  return sid === undefined ? [`sub:${sub}`] : [`sub:${sub}`, `sid:${sid}`];
}

/**
 * `owner`'s `sub` and `sid` as an index keeps them; throws a `JustLoginOptionsError`
 * naming `component` when `sessionID` or `sub` is not a non-empty string.
 */
export function checkOwner(
  component: string,
  sessionID: unknown,
  owner: SessionOwner,
): { sub: string; sid: string | undefined } {
  const problems: string[] = [];
  if (typeof sessionID !== 'string' || sessionID === '') problems.push('`sessionID` must be a non-empty string');
  const sub = owner?.sub;
  if (typeof sub !== 'string' || sub === '') problems.push('the sign-in must name its user (`sub`)');
  if (problems.length > 0) throw new JustLoginOptionsError(`${component}.add`, problems);
  const sid = owner.sid;
  return { sub: sub as string, sid: typeof sid === 'string' && sid !== '' ? sid : undefined };
}
