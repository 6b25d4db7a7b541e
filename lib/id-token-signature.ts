import { IdTokenError, JustLoginRequestError } from './errors';

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

/**
 * Verifies id_token signatures against JustLogin's JWKS. Keys are fetched on
 * first use, cached, and fetched again when a token names an unknown `kid`.
 * `jose` is loaded only when an instance is created.
 */
export class IdTokenSignature {
  private readonly jose: Jose;
  private readonly keys: ReturnType<Jose['createRemoteJWKSet']>;

  /**
   * `cooldown`: milliseconds after a fetch during which an unknown `kid` does
   * not trigger another one (jose's default, 30 s), so forged tokens cannot
   * make JustLogin's JWKS be fetched in a loop.
   */
  constructor(jwksURL: string, timeout: number, cooldown = 30_000) {
    // Loaded here, not at the top, so apps that do not verify signatures never load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.jose = require('jose') as Jose;
    this.keys = this.jose.createRemoteJWKSet(new URL(jwksURL), {
      timeoutDuration: timeout,
      cooldownDuration: cooldown,
    });
  }

  /** Resolves when `idToken` carries a valid signature by one of JustLogin's keys. */
  async verify(idToken: string): Promise<void> {
    try {
      await this.jose.compactVerify(idToken, this.keys, { algorithms: ID_TOKEN_ALGORITHMS });
    } catch (error) {
      throw explain(error, this.jose.errors);
    }
  }
}

function explain(error: unknown, errors: Jose['errors']): Error {
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new IdTokenError("id_token signature does not verify against JustLogin's keys", 'signature');
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new IdTokenError("no key in JustLogin's JWKS matches the id_token (kid)", 'signature');
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new IdTokenError('id_token is not signed with an accepted asymmetric algorithm (alg)', 'signature');
  }
  if (error instanceof errors.JWSInvalid) {
    return new IdTokenError('id_token is not a valid JWS', 'format');
  }
  if (error instanceof errors.JWKSTimeout) {
    return new JustLoginRequestError("JustLogin's JWKS did not answer in time", 'ETIMEDOUT', { retryable: true });
  }
  return new JustLoginRequestError("Could not load JustLogin's JWKS; the sign-in may be retried", 'EJWKS', {
    retryable: true,
  });
}
