import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { JustLoginTokenSet } from './token-set';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts JSON values with AES-256-GCM under a key derived (HKDF-SHA256) from
 * an app secret and an `info` string naming their use, so they can wait in a
 * shared store or a browser cookie without being readable or alterable there.
 * `context` (e.g. the storage key or cookie name) is authenticated with the
 * data: a value moved to another context does not open.
 */
export class JsonSealer<T> {
  readonly #key: Buffer;

  constructor(secret: string | Buffer, info: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
  }

  /** `iv | tag | ciphertext`, base64url. */
  seal(value: T, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  }

  /** The value, or `undefined` when `sealed` was made with another secret, use or context, or altered. */
  open(sealed: string, context: string): T | undefined {
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      return JSON.parse(plaintext.toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }
}

/** Seals the token sets a refresh coordinator shares between instances. */
export class TokenSealer extends JsonSealer<JustLoginTokenSet> {
  constructor(secret: string | Buffer) {
    super(secret, 'passport-justlogin refresh result v1');
  }
}
