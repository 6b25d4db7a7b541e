import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { JustLoginTokenSet } from './token-set';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_INFO = 'passport-justlogin refresh result v1';

/**
 * Encrypts token sets with AES-256-GCM under a key derived (HKDF-SHA256) from
 * an app secret, so they can wait in a shared store without being readable
 * there. `context` (e.g. the storage key) is authenticated with the data: a
 * value moved to another key does not open.
 */
export class TokenSealer {
  readonly #key: Buffer;

  constructor(secret: string | Buffer) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), KEY_INFO, 32));
  }

  /** `iv | tag | ciphertext`, base64url. */
  seal(tokens: JustLoginTokenSet, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(tokens), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  }

  /** The token set, or `undefined` when `sealed` was made with another secret or context, or altered. */
  open(sealed: string, context: string): JustLoginTokenSet | undefined {
    const bytes = Buffer.from(sealed, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      return JSON.parse(plaintext.toString('utf8')) as JustLoginTokenSet;
    } catch {
      return undefined;
    }
  }
}
