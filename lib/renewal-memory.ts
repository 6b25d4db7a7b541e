import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { JustLoginOptionsError } from './errors';
import type { JustLoginTokenSet } from './token-set';

/** The most renewals remembered at once; the oldest are dropped first. */
const MAX_ENTRIES = 10_000;
/** The most links followed from a spent refresh token to the newest renewal. */
const MAX_HOPS = 16;
const IV_BYTES = 12;
const KEY_INFO = 'passport-justlogin renewal memory v1';

/** One remembered renewal: the renewed set, encrypted under a key only the spent refresh token gives. */
interface Renewal {
  /** Epoch milliseconds after which the renewal is forgotten. */
  expiresAt: number;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

/** The SHA-256 (hex) of a refresh token: how renewals are keyed here and in a coordinator. */
export function refreshTokenKey(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('hex');
}

/**
 * Remembers, for `graceMs`, what spending a refresh token gave, so that a
 * caller still holding a refresh token that was already rotated gets the
 * renewed tokens instead of spending it again (which JustLogin refuses with
 * `invalid_grant`, and may answer by revoking every token of the user).
 *
 * Keys are SHA-256 digests of the spent refresh tokens; each renewed set is
 * encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from the spent
 * refresh token itself, so only a caller holding that token can read it. At
 * most 10 000 renewals are kept (the oldest go first); expired ones are
 * dropped whenever the memory is used.
 */
export class RenewalMemory {
  readonly #graceMs: number;
  readonly #maxEntries: number;
  readonly #salt = randomBytes(32);
  /** In the order remembered, which is also the order of expiry. */
  readonly #renewals = new Map<string, Renewal>();

  /** Throws a `JustLoginOptionsError` naming `graceMs` unless it is a whole number of milliseconds, 0 or more (0: remember nothing). */
  constructor(graceMs: number, maxEntries = MAX_ENTRIES) {
    if (typeof graceMs !== 'number' || !Number.isSafeInteger(graceMs) || graceMs < 0) {
      throw new JustLoginOptionsError('JustLoginRefresher', [
        '`graceMs` must be a whole number of milliseconds, 0 or more',
      ]);
    }
    this.#graceMs = graceMs;
    this.#maxEntries = maxEntries;
  }

  /**
   * Remembers that spending `refreshToken` gave `tokens`. Nothing is kept when
   * JustLogin did not replace the refresh token (it stays valid and can be
   * spent again), or when a renewal of `refreshToken` is remembered already.
   */
  remember(refreshToken: string, tokens: JustLoginTokenSet): void {
    const now = Date.now();
    this.#prune(now);
    const key = refreshTokenKey(refreshToken);
    if (this.#graceMs === 0 || !tokens.refreshToken || tokens.refreshToken === refreshToken) return;
    if (this.#renewals.has(key)) return;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keyFor(refreshToken), iv);
    cipher.setAAD(Buffer.from(key));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(tokens), 'utf8'), cipher.final()]);
    this.#renewals.set(key, { expiresAt: now + this.#graceMs, iv, tag: cipher.getAuthTag(), ciphertext });
    if (this.#renewals.size > this.#maxEntries) this.#renewals.delete(this.#renewals.keys().next().value!);
  }

  /**
   * The newest tokens known to descend from `refreshToken`: its renewal, or
   * the renewal of that renewal's refresh token, and so on (at most 16
   * links). `undefined` when `refreshToken` was not renewed within `graceMs`.
   */
  recall(refreshToken: string): JustLoginTokenSet | undefined {
    const now = Date.now();
    this.#prune(now);
    let newest: JustLoginTokenSet | undefined;
    let spent = refreshToken;
    for (let hop = 0; hop < MAX_HOPS; hop += 1) {
      const next = this.#open(spent, now);
      if (!next) break;
      newest = next;
      if (!next.refreshToken) break;
      spent = next.refreshToken;
    }
    return newest;
  }

  #open(refreshToken: string, now: number): JustLoginTokenSet | undefined {
    const key = refreshTokenKey(refreshToken);
    const renewal = this.#renewals.get(key);
    if (!renewal || renewal.expiresAt <= now) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#keyFor(refreshToken), renewal.iv);
      decipher.setAAD(Buffer.from(key));
      decipher.setAuthTag(renewal.tag);
      const plaintext = Buffer.concat([decipher.update(renewal.ciphertext), decipher.final()]);
      return JSON.parse(plaintext.toString('utf8')) as JustLoginTokenSet;
    } catch {
      return undefined;
    }
  }

  #keyFor(refreshToken: string): Buffer {
    return Buffer.from(hkdfSync('sha256', refreshToken, this.#salt, KEY_INFO, 32));
  }

  /** Drops expired renewals; they sit at the front, in the order remembered. */
  #prune(now: number): void {
    for (const [key, renewal] of this.#renewals) {
      if (renewal.expiresAt > now) return;
      this.#renewals.delete(key);
    }
  }
}
