import type { JSONWebKeySet } from 'jose';
import { IdTokenError, JustLoginRequestError } from './errors';
import { createTransport, MAX_RESPONSE_BYTES, type Transport } from './transport';

type Jose = typeof import('jose');

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
  resolve: ReturnType<Jose['createLocalJWKSet']>;
  fetchedAt: number;
}

/**
 * Verifies id_token signatures against JustLogin's JWKS. Keys are fetched on
 * first use through the package's bounded client (the timeout covers the whole
 * exchange, at most 1 MiB, no redirects), cached for ten minutes, and fetched
 * again when a token names an unknown `kid`. `jose` is loaded only when an
 * instance is created.
 */
export class IdTokenSignature {
  private readonly jose: Jose;
  private readonly jwksURL: URL;
  private readonly timeout: number;
  private readonly transport: Transport;
  private readonly cooldown: number;
  private keys?: KeySet;
  private loading?: Promise<KeySet>;
  /** When the last fetch started, whatever its outcome. */
  private lastFetch = -Infinity;

  /**
   * `cooldown`: milliseconds after a fetch during which an unknown `kid` does
   * not trigger another one (30 s by default), so forged tokens cannot make
   * JustLogin's JWKS be fetched in a loop. `transport` sends the requests
   * (default `createTransport()`, node:http).
   */
  constructor(jwksURL: string, timeout: number, transport: Transport = createTransport(), cooldown = 30_000) {
    // Loaded here, not at the top, so apps that do not verify signatures never load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.jose = require('jose') as Jose;
    this.jwksURL = new URL(jwksURL);
    this.timeout = timeout;
    this.transport = transport;
    this.cooldown = cooldown;
  }

  /** Resolves when `idToken` carries a valid signature by one of JustLogin's keys. */
  async verify(idToken: string): Promise<void> {
    try {
      const keys = this.keys && Date.now() - this.keys.fetchedAt < KEYS_MAX_AGE ? this.keys : await this.fetchKeys();
      try {
        await this.jose.compactVerify(idToken, keys.resolve, { algorithms: ID_TOKEN_ALGORITHMS });
      } catch (error) {
        if (!(error instanceof this.jose.errors.JWKSNoMatchingKey)) throw error;
        if (!this.loading && Date.now() - this.lastFetch < this.cooldown) throw error;
        const fresh = await this.fetchKeys();
        await this.jose.compactVerify(idToken, fresh.resolve, { algorithms: ID_TOKEN_ALGORITHMS });
      }
    } catch (error) {
      throw explain(error, this.jose.errors);
    }
  }

  /** Fetches the key set, once for all callers waiting at the same time. */
  private fetchKeys(): Promise<KeySet> {
    if (!this.loading) {
      this.lastFetch = Date.now();
      this.loading = this.download().finally(() => {
        this.loading = undefined;
      });
    }
    return this.loading;
  }

  private async download(): Promise<KeySet> {
    const { status, text } = await this.transport.send({
      endpoint: 'JWKS',
      method: 'GET',
      url: this.jwksURL,
      headers: { Accept: 'application/jwk-set+json, application/json' },
      timeout: this.timeout,
      maxBytes: MAX_RESPONSE_BYTES,
    });
    if (status < 200 || status >= 300) {
      throw new JustLoginRequestError(
        `JustLogin's JWKS answered HTTP ${status}${status >= 500 ? '; the sign-in may be retried' : ''}`,
        'EHTTPSTATUS',
        { status, retryable: status >= 500 || status === 429 },
      );
    }
    let resolve: KeySet['resolve'];
    try {
      resolve = this.jose.createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
    } catch {
      throw new JustLoginRequestError(
        "JustLogin's JWKS is not a JSON Web Key Set; the sign-in may be retried",
        'EBADRESPONSE',
        { status, retryable: true },
      );
    }
    this.keys = { resolve, fetchedAt: Date.now() };
    return this.keys;
  }
}

function explain(error: unknown, errors: Jose['errors']): Error {
  if (error instanceof JustLoginRequestError) return error;
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new IdTokenError("id_token signature does not verify against JustLogin's keys", 'signature');
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new IdTokenError("no key in JustLogin's JWKS matches the id_token (kid)", 'signature');
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new IdTokenError('id_token is not signed with an accepted asymmetric algorithm (alg)', 'signature');
  }
  if (error instanceof errors.JWKSInvalid) {
    return new JustLoginRequestError("JustLogin's JWKS holds a key that is not a public key", 'EBADRESPONSE', {
      retryable: false,
    });
  }
  if (error instanceof errors.JWSInvalid) {
    return new IdTokenError('id_token is not a valid JWS', 'format');
  }
  return new IdTokenError("id_token could not be checked against JustLogin's keys", 'signature');
}
