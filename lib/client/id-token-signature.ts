import { constants, KeyObject, verify as verifySignature, type VerifyKeyObjectInput } from 'node:crypto';
import type { JSONWebKeySet, JWSHeaderParameters } from 'jose';
import { place, trace, type JustLoginFetchTrace } from '../diagnostics';
import { IdTokenError, JustLoginRequestError } from '../errors';
import { createTransport, MAX_RESPONSE_BYTES, type Transport } from './transport';

/** The parts of jose used here, each from its own subpath (a few of its files, not all 83 of its entry). */
interface Jose {
  createLocalJWKSet: typeof import('jose/jwks/local').createLocalJWKSet;
  decodeProtectedHeader: typeof import('jose/decode/protected_header').decodeProtectedHeader;
  errors: typeof import('jose/errors');
}

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

/** Checks a JWS signature over its signing input with one key; true when it verifies. */
type Verifier = (input: Buffer, signature: Buffer) => boolean;

interface KeySet {
  resolve: ReturnType<Jose['createLocalJWKSet']>;
  fetchedAt: number;
  /** The verifier of each `alg` and `kid` met, with the key jose selected for them. */
  verifiers: Map<string, Verifier>;
}

/** The curve each ECDSA algorithm signs on (RFC 7518 §3.4), as Node names it. */
const CURVES: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Verifies id_token signatures against JustLogin's JWKS. Keys are fetched on
 * first use through the package's bounded client (the timeout covers the whole
 * exchange, at most 1 MiB, no redirects), cached for ten minutes, and fetched
 * again when a token names an unknown `kid`. jose reads the key set and picks
 * the key for a token's `alg` and `kid` (once per pair); the signature is then
 * checked with node:crypto at once, as jose would check it but without a trip
 * through the thread pool. `jose` is loaded only when an instance is created.
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
    /* eslint-disable @typescript-eslint/no-require-imports */
    this.jose = {
      createLocalJWKSet: (require('jose/jwks/local') as typeof import('jose/jwks/local')).createLocalJWKSet,
      decodeProtectedHeader: (require('jose/decode/protected_header') as typeof import('jose/decode/protected_header'))
        .decodeProtectedHeader,
      errors: require('jose/errors') as typeof import('jose/errors'),
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    this.jwksURL = new URL(jwksURL);
    this.timeout = timeout;
    this.transport = transport;
    this.cooldown = cooldown;
  }

  /**
   * Resolves when `idToken` carries a valid signature by one of JustLogin's
   * keys. With fresh keys and a token whose `alg` and `kid` were met before,
   * the check runs at once, without waiting on anything.
   */
  async verify(idToken: string): Promise<void> {
    try {
      const jws = splitJWS(idToken, this.jose);
      const keys = this.freshKeys() ?? (await this.fetchKeys());
      let verifier: Verifier;
      try {
        verifier = keys.verifiers.get(jws.id) ?? (await this.verifierFrom(keys, jws));
      } catch (error) {
        if (!(error instanceof this.jose.errors.JWKSNoMatchingKey)) throw error;
        if (!this.loading && Date.now() - this.lastFetch < this.cooldown) throw error;
        verifier = await this.verifierFrom(await this.fetchKeys(), jws);
      }
      if (!verifier(jws.input, jws.signature)) {
        throw new IdTokenError("id_token signature does not verify against JustLogin's keys", 'signature');
      }
    } catch (error) {
      throw explain(error, this.jose.errors);
    }
  }

  /**
   * Fetches the keys unless fresh ones are held, so that a token arriving soon
   * is checked without a request (unless it names a key published since).
   */
  async prepare(): Promise<void> {
    if (!this.freshKeys()) await this.fetchKeys();
  }

  /** The keys held, while they are fresh. */
  private freshKeys(): KeySet | undefined {
    return this.keys && Date.now() - this.keys.fetchedAt < KEYS_MAX_AGE ? this.keys : undefined;
  }

  /** The verifier with the key jose picks from `keys` for the token's `alg` and `kid`, kept with them. */
  private async verifierFrom(keys: KeySet, jws: SplitJWS): Promise<Verifier> {
    const verifier =
      keys.verifiers.get(jws.id) ?? verifierFor(jws.header.alg as string, await keys.resolve(jws.header));
    keys.verifiers.set(jws.id, verifier);
    return verifier;
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

  /** Fetches the key set; traced on `passport-justlogin:keys`. */
  private download(): Promise<KeySet> {
    return trace(
      'keys',
      () => place(this.jwksURL),
      (context) => this.read(context),
    );
  }

  private async read(context: JustLoginFetchTrace | undefined): Promise<KeySet> {
    const { status, text } = await this.transport.send({
      endpoint: 'JWKS',
      method: 'GET',
      url: this.jwksURL,
      headers: { Accept: 'application/jwk-set+json, application/json' },
      timeout: this.timeout,
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
      resolve = this.jose.createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
    } catch {
      throw new JustLoginRequestError(
        "JustLogin's JWKS is not a JSON Web Key Set; the sign-in may be retried",
        'EBADRESPONSE',
        { status, retryable: true },
      );
    }
    this.keys = { resolve, fetchedAt: Date.now(), verifiers: new Map() };
    return this.keys;
  }
}

interface SplitJWS {
  header: JWSHeaderParameters;
  /** Its `alg` and `kid`, which name its verifier. */
  id: string;
  /** The signing input: `header.payload`, as bytes. */
  input: Buffer;
  signature: Buffer;
}

/**
 * The parts of a compact JWS signed with an accepted algorithm, its header
 * decoded by jose. Throws an `IdTokenError` for anything else (`format`, or
 * `signature` for the algorithm).
 */
function splitJWS(token: string, jose: Jose): SplitJWS {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    throw new IdTokenError('id_token is not a valid JWS', 'format');
  }
  let header: JWSHeaderParameters;
  try {
    header = jose.decodeProtectedHeader({ protected: parts[0], signature: parts[2] });
  } catch {
    throw new IdTokenError('id_token is not a valid JWS', 'format');
  }
  const { alg, crit, kid } = header;
  if (typeof alg !== 'string' || !ID_TOKEN_ALGORITHMS.includes(alg)) {
    throw new IdTokenError('id_token is not signed with an accepted asymmetric algorithm (alg)', 'signature');
  }
  // RFC 7515 §4.1.11: extensions listed in crit must be understood; none is here.
  if (crit !== undefined) {
    throw new IdTokenError('id_token header lists critical extensions (crit) this client does not support', 'crit');
  }
  return {
    header,
    id: typeof kid === 'string' ? `${alg} ${kid}` : JSON.stringify([alg, kid]),
    input: Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'),
    signature: Buffer.from(parts[2], 'base64url'),
  };
}

/**
 * How to check `alg` signatures with `key` (RFC 7518 §3), refusing a key that
 * does not fit the algorithm as jose does: an RSA key of fewer than 2048 bits,
 * an EC key on another curve, anything but an Ed25519 or Ed448 key for EdDSA.
 */
function verifierFor(alg: string, key: unknown): Verifier {
  const refused = () => new IdTokenError(`JustLogin's key for ${alg} cannot check ${alg} signatures`, 'signature');
  if (!(key instanceof KeyObject) || key.type !== 'public') throw refused();
  const type = key.asymmetricKeyType;
  const digest = `sha${alg.slice(2)}`;
  let input: VerifyKeyObjectInput | KeyObject = key;
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    if (type !== 'rsa' || !((key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048)) throw refused();
    if (alg.startsWith('PS')) {
      input = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
    }
  } else if (alg.startsWith('ES')) {
    if (type !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== CURVES[alg]) throw refused();
    input = { key, dsaEncoding: 'ieee-p1363' };
  } else if (alg !== 'EdDSA' || (type !== 'ed25519' && type !== 'ed448')) {
    throw refused();
  }
  const algorithm = alg === 'EdDSA' ? null : digest;
  return (data, signature) => {
    try {
      return verifySignature(algorithm, data, input, signature);
    } catch {
      return false;
    }
  };
}

function explain(error: unknown, errors: Jose['errors']): Error {
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
