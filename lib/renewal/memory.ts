import { createCipheriv, createDecipheriv, hash, randomBytes } from 'node:crypto';
import type { JustLoginTokenSet } from '../token-set';

/** The most renewals remembered at once; the oldest are dropped first. */
const MAX_ENTRIES = 10_000;
/** The most links followed from a spent refresh token to the newest renewal. */
const MAX_HOPS = 16;
const IV_BYTES = 12;

/** One remembered renewal: the renewed set, encrypted under a key only the spent refresh token gives. */
interface Renewal {
  /** Epoch milliseconds after which the renewal is forgotten. */
  expiresAt: number;
  /** Which encryption of this memory it was: the IV is the memory's prefix and this count. */
  count: number;
  tag: Buffer;
  ciphertext: Buffer;
  /** The key of the refresh token the renewal gave. */
  renewedKey: string;
}

/** The SHA-256 (hex) of a refresh token: how renewals are keyed here and in a coordinator. */
export function refreshTokenKey(refreshToken: string): string {
  return hash('sha256', refreshToken, 'hex');
}

/** Put before a spent refresh token to derive its renewal's key, so that the key is no other digest of the token. */
const KEY_LABEL = 'passport-justlogin renewal key\0';

/**
 * Remembers, for `graceMs`, what spending a refresh token gave, so that a
 * caller still holding a refresh token that was already rotated gets the
 * renewed tokens instead of spending it again (which JustLogin refuses with
 * `invalid_grant`, and may answer by revoking every token of the user).
 *
 * Keys are SHA-256 digests of the spent refresh tokens; each renewed set is
 * encrypted with AES-256-GCM under a key derived from the spent refresh token
 * itself (the SHA-256 of a fixed label and the token, one digest), so only a
 * caller holding that token can read it: nothing kept here yields the key
 * without the token. IVs are unique within the memory (a random prefix and a
 * counter, as NIST SP 800-38D §8.2.1 builds them). At most 10 000 renewals are
 * kept (the oldest go first); expired ones are dropped whenever the memory is used.
 */
export class RenewalMemory {
  readonly #graceMs: number;
  readonly #maxEntries: number;
  readonly #ivPrefix = randomBytes(4);
  #encryptions = 0;
  /** By key; remembered in the order of expiry. */
  readonly #renewals = new Map<string, Renewal>();
  /**
   * Their keys in that order, from `#oldest` on: dropping the oldest walks this
   * list, not the map, whose iteration would step over every entry deleted
   * before (V8 compacts a map only when it grows).
   */
  #order: string[] = [];
  #oldest = 0;
  /** The key of each renewal by the key of the refresh token it gave: the way back from a renewed token. */
  readonly #renewedFrom = new Map<string, string>();

  /** `graceMs` as the refresher's settings hold it (0: remember nothing). */
  constructor(graceMs: number, maxEntries = MAX_ENTRIES) {
    this.#graceMs = graceMs;
    this.#maxEntries = maxEntries;
  }

  /**
   * Remembers that spending `refreshToken` gave `tokens`. Nothing is kept when
   * JustLogin did not replace the refresh token (it stays valid and can be
   * spent again), or when a renewal of `refreshToken` is remembered already.
   * `key` is `refreshTokenKey(refreshToken)`, when the caller has it already.
   */
  remember(refreshToken: string, tokens: JustLoginTokenSet, key?: string): void {
    if (this.#graceMs === 0 || !tokens.refreshToken || tokens.refreshToken === refreshToken) return;
    const now = Date.now();
    this.#prune(now);
    const id = key ?? refreshTokenKey(refreshToken);
    if (this.#renewals.has(id)) return;
    const count = ++this.#encryptions;
    const cipher = createCipheriv('aes-256-gcm', keyFor(refreshToken), this.#iv(count));
    const ciphertext = cipher.update(JSON.stringify(tokens), 'utf8');
    cipher.final(); // GCM adds no bytes here; it computes the tag
    const tag = cipher.getAuthTag();
    const renewedKey = refreshTokenKey(tokens.refreshToken);
    this.#renewals.set(id, { expiresAt: now + this.#graceMs, count, tag, ciphertext, renewedKey });
    this.#renewedFrom.set(renewedKey, id);
    this.#order.push(id);
    while (this.#renewals.size > this.#maxEntries) this.#dropOldest();
  }

  /**
   * The newest tokens known to descend from `refreshToken`: its renewal, or
   * the renewal of that renewal's refresh token, and so on (at most 16
   * links). `undefined` when `refreshToken` was not renewed within `graceMs`.
   * `key` is `refreshTokenKey(refreshToken)`, when the caller has it already.
   */
  recall(refreshToken: string, key?: string): JustLoginTokenSet | undefined {
    if (this.#graceMs === 0) return undefined;
    const now = Date.now();
    this.#prune(now);
    if (this.#renewals.size === 0) return undefined;
    let newest: JustLoginTokenSet | undefined;
    let spent = refreshToken;
    for (let hop = 0; hop < MAX_HOPS; hop += 1) {
      const next = this.#open(spent, hop === 0 ? key : undefined, now);
      if (!next) break;
      newest = next;
      if (!next.refreshToken) break;
      spent = next.refreshToken;
    }
    return newest;
  }

  /**
   * Forgets every renewal linked to `refreshToken` (at most 16 links each
   * way): those that led to it, so that a spent refresh token no longer gets
   * it, and those it led to. For a sign-out: nothing of the user's tokens is
   * handed out from memory after it.
   */
  forget(refreshToken: string): void {
    const now = Date.now();
    let key = refreshTokenKey(refreshToken);
    for (let hop = 0; hop < MAX_HOPS; hop += 1) {
      const spent = this.#renewedFrom.get(key);
      if (spent === undefined) break;
      this.#delete(spent);
      key = spent;
    }
    let spent = refreshToken;
    for (let hop = 0; hop < MAX_HOPS; hop += 1) {
      const next = this.#open(spent, undefined, now);
      this.#delete(refreshTokenKey(spent));
      if (!next?.refreshToken) break;
      spent = next.refreshToken;
    }
  }

  /** Deletes the renewal of `id`, and the way back to it; its place in `#order` is dropped in turn. */
  #delete(id: string): void {
    const renewal = this.#renewals.get(id);
    if (!renewal) return;
    this.#renewals.delete(id);
    if (this.#renewedFrom.get(renewal.renewedKey) === id) this.#renewedFrom.delete(renewal.renewedKey);
  }

  #open(refreshToken: string, key: string | undefined, now: number): JustLoginTokenSet | undefined {
    const id = key ?? refreshTokenKey(refreshToken);
    const renewal = this.#renewals.get(id);
    if (!renewal || renewal.expiresAt <= now) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', keyFor(refreshToken), this.#iv(renewal.count));
      decipher.setAuthTag(renewal.tag);
      const plaintext = Buffer.concat([decipher.update(renewal.ciphertext), decipher.final()]);
      return JSON.parse(plaintext.toString('utf8')) as JustLoginTokenSet;
    } catch {
      return undefined;
    }
  }

  /** The 96-bit IV of the `count`-th encryption of this memory: its random prefix, then `count` in 64 bits. */
  #iv(count: number): Buffer {
    const iv = Buffer.allocUnsafe(IV_BYTES);
    this.#ivPrefix.copy(iv, 0);
    iv.writeUInt32BE(Math.floor(count / 2 ** 32), 4);
    iv.writeUInt32BE(count >>> 0, 8);
    return iv;
  }

  /** Drops expired renewals; they sit at the front, in the order remembered. */
  #prune(now: number): void {
    // A renewal forgotten already has left its key behind: dropped too.
    while (
      this.#oldest < this.#order.length &&
      !((this.#renewals.get(this.#order[this.#oldest])?.expiresAt ?? 0) > now)
    ) {
      this.#dropOldest();
    }
  }

  #dropOldest(): void {
    this.#delete(this.#order[this.#oldest]);
    this.#oldest += 1;
    if (this.#oldest === this.#order.length) {
      this.#order = [];
      this.#oldest = 0;
    } else if (this.#oldest >= 1024 && this.#oldest * 2 >= this.#order.length) {
      this.#order = this.#order.slice(this.#oldest);
      this.#oldest = 0;
    }
  }
}

/** The 32-byte AES key of the renewal of `refreshToken`. */
function keyFor(refreshToken: string): Buffer {
  return hash('sha256', KEY_LABEL + refreshToken, 'buffer');
}
