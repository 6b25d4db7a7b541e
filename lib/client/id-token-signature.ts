import { constants, KeyObject, verify as verifySignature, type VerifyKeyObjectInput } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, errors, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';
import { place, trace, type JustLoginFetchTrace } from '../diagnostics';
import { IdTokenError, JustLoginRequestError } from '../errors';
import { createTransport, MAX_RESPONSE_BYTES, type Transport } from './transport';

/** Asymmetric JWS algorithms accepted on an id_token; `none` and HMAC never are. */
export const ID_TOKEN_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** Keys older than this are fetched again before use (jose's own default). */
const KEYS_MAX_AGE = 10 * 60_000;

interface KeySet {
  resolve: ReturnType<typeof createLocalJWKSet>;
  fetchedAt: number;
}

/** The curve each ECDSA algorithm signs on (RFC 7518 §3.4), as Node names it. */
const CURVES: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Verifies id_token signatures against JustLogin's JWKS. Keys are fetched on
 * first use through the package's bounded client (the timeout covers the whole
 * exchange, at most 1 MiB, no redirects), cached for ten minutes, and fetched
 * again when a token names an unknown `kid`. jose reads the key set and picks
 * the key for a token's `alg` and `kid`; the signature is checked with
 * node:crypto (see `verifies` below).
 */
export class IdTokenSignature {
  readonly #jwksURL: URL;
  readonly #timeout: number;
  readonly #transport: Transport;
  readonly #cooldown: number;
  #keys?: KeySet;
  #loading?: Promise<KeySet>;
  /** When the last fetch started, whatever its outcome. */
  #lastFetch = -Infinity;

  /**
   * `cooldown`: milliseconds after a fetch during which an unknown `kid` does
   * not trigger another one (30 s by default), so forged tokens cannot make
   * JustLogin's JWKS be fetched in a loop. `transport` sends the requests
   * (default `createTransport()`, node:http).
   */
  constructor(jwksURL: string, timeout: number, transport: Transport = createTransport(), cooldown = 30_000) {
    this.#jwksURL = new URL(jwksURL);
    this.#timeout = timeout;
    this.#transport = transport;
    this.#cooldown = cooldown;
  }

  /** Resolves when `idToken` carries a valid signature by one of JustLogin's keys. */
  async verify(idToken: string): Promise<void> {
    try {
      const jws = splitJWS(idToken);
      const keys = this.#freshKeys() ?? (await this.#fetchKeys());
      let key: unknown;
      try {
        key = await keys.resolve(jws.header);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
        if (!this.#loading && Date.now() - this.#lastFetch < this.#cooldown) throw error;
        key = await (await this.#fetchKeys()).resolve(jws.header);
      }
      if (!verifies(jws, key)) {
        throw new IdTokenError("id_token signature does not verify against JustLogin's keys", 'signature');
      }
    } catch (error) {
      throw explain(error);
    }
  }

  /**
   * Fetches the keys unless fresh ones are held, so that a token arriving soon
   * is checked without a request (unless it names a key published since).
   */
  async prepare(): Promise<void> {
    if (!this.#freshKeys()) await this.#fetchKeys();
  }

  /** The keys held, while they are fresh. */
  #freshKeys(): KeySet | undefined {
    return this.#keys && Date.now() - this.#keys.fetchedAt < KEYS_MAX_AGE ? this.#keys : undefined;
  }

  /** Fetches the key set, once for all callers waiting at the same time. */
  #fetchKeys(): Promise<KeySet> {
    if (!this.#loading) {
      this.#lastFetch = Date.now();
      this.#loading = this.#download().finally(() => {
        this.#loading = undefined;
      });
    }
    return this.#loading;
  }

  /** Fetches the key set; traced on `passport-justlogin:keys`. */
  #download(): Promise<KeySet> {
    return trace(
      'keys',
      () => place(this.#jwksURL),
      (context) => this.#read(context),
    );
  }

  async #read(context: JustLoginFetchTrace | undefined): Promise<KeySet> {
    const { status, text } = await this.#transport.send({
      endpoint: 'JWKS',
      method: 'GET',
      url: this.#jwksURL,
      headers: { Accept: 'application/jwk-set+json, application/json' },
      timeout: this.#timeout,
      maxBytes: MAX_RESPONSE_BYTES,
    });
    if (context) context.status = status;
    if (status < 200 || status >= 300) {
      throw new JustLoginRequestError(
        `JustLogin's JWKS answered HTTP ${status}${status >= 500 ? '; the sign-in may be retried' : ''}`,
        'EHTTPSTATUS',
        { status, retryable: status >= 500 || status === 429 },
      );
    }
    let resolve: KeySet['resolve'];
    try {
      resolve = createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
    } catch {
      throw new JustLoginRequestError(
        "JustLogin's JWKS is not a JSON Web Key Set; the sign-in may be retried",
        'EBADRESPONSE',
        { status, retryable: true },
      );
    }
    this.#keys = { resolve, fetchedAt: Date.now() };
    return this.#keys;
  }
}

interface SplitJWS {
  header: JWSHeaderParameters & { alg: string };
  /** The signing input: `header.payload`, as bytes. */
  input: Buffer;
  signature: Buffer;
}

/**
 * The parts of a compact JWS signed with an accepted algorithm, its header
 * decoded by jose. Throws an `IdTokenError` for anything else (`format`, or
 * `signature` for the algorithm, `crit` for critical extensions), before any
 * key is fetched.
 */
function splitJWS(token: string): SplitJWS {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    throw new IdTokenError('id_token is not a valid JWS', 'format');
  }
  let header: JWSHeaderParameters;
  try {
    header = decodeProtectedHeader({ protected: parts[0], signature: parts[2] });
  } catch {
    throw new IdTokenError('id_token is not a valid JWS', 'format');
  }
  const { alg, crit } = header;
  if (typeof alg !== 'string' || !ID_TOKEN_ALGORITHMS.includes(alg)) {
    throw new IdTokenError('id_token is not signed with an accepted asymmetric algorithm (alg)', 'signature');
  }
  // RFC 7515 §4.1.11: extensions listed in crit must be understood; none is here.
  if (crit !== undefined) {
    throw new IdTokenError('id_token header lists critical extensions (crit) this client does not support', 'crit');
  }
  return {
    header: { ...header, alg },
    input: Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'),
    signature: Buffer.from(parts[2], 'base64url'),
  };
}

/**
 * Whether `key` signed `jws` (RFC 7518 §3), refusing a key that does not fit
 * the algorithm as jose does: an RSA key of fewer than 2048 bits, an EC key on
 * another curve, anything but an Ed25519 or Ed448 key for EdDSA.
 *
 * Checked here with node:crypto's synchronous `verify` rather than with jose's
 * `compactVerify`, which checks on the thread pool: with signatures on, jose's
 * check cost 10–14 % more of a sign-in's CPU (`npm run bench`, sign-in rows,
 * both checks in the same rounds, three runs).
 */
function verifies({ header: { alg }, input, signature }: SplitJWS, key: unknown): boolean {
  const refused = () => new IdTokenError(`JustLogin's key for ${alg} cannot check ${alg} signatures`, 'signature');
  if (!(key instanceof KeyObject) || key.type !== 'public') throw refused();
  const type = key.asymmetricKeyType;
  let keyInput: VerifyKeyObjectInput | KeyObject = key;
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    if (type !== 'rsa' || !((key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048)) throw refused();
    if (alg.startsWith('PS')) {
      keyInput = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
    }
  } else if (alg.startsWith('ES')) {
    if (type !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== CURVES[alg]) throw refused();
    keyInput = { key, dsaEncoding: 'ieee-p1363' };
  } else if (alg !== 'EdDSA' || (type !== 'ed25519' && type !== 'ed448')) {
    throw refused();
  }
  try {
    return verifySignature(alg === 'EdDSA' ? null : `sha${alg.slice(2)}`, input, keyInput, signature);
  } catch {
    return false;
  }
}

/** What a failed check means, as the package's errors: jose's own never leave this file. */
function explain(error: unknown): Error {
  if (error instanceof JustLoginRequestError || error instanceof IdTokenError) return error;
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new IdTokenError("no key in JustLogin's JWKS matches the id_token (kid)", 'signature');
  }
  if (error instanceof errors.JWKSInvalid) {
    return new JustLoginRequestError("JustLogin's JWKS holds a key that is not a public key", 'EBADRESPONSE', {
      retryable: false,
    });
  }
  return new IdTokenError("id_token could not be checked against JustLogin's keys", 'signature');
}
