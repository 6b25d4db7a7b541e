// jose's subpaths: each loads a few of its files, not all 83 of its entry.
import type { ProtectedHeaderParameters } from 'jose';
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import { JWTClaimValidationFailed, JWTExpired, JWTInvalid } from 'jose/errors';
import { decodeJwt } from 'jose/jwt/decode';
import { UnsecuredJWT } from 'jose/jwt/unsecured';
import { IdTokenError, type IdTokenCheck } from '../errors';

/** The id_token claims JustLogin sends, plus any others it adds. */
export interface IdTokenClaims {
  /** The issuer: JustLogin's issuer URL. */
  iss?: string;
  /** JustLogin's stable id for the user. */
  sub: string;
  /** The audience: the app's client id. */
  aud: string | string[];
  /** When the id_token expires, in epoch seconds. */
  exp: number;
  /** When it was issued, in epoch seconds. */
  iat: number;
  /** When it becomes valid, in epoch seconds. */
  nbf?: number;
  /** The party it was issued to: the app's client id. */
  azp?: string;
  /** The nonce the sign-in sent. */
  nonce?: string;
  /** When the user authenticated, in epoch seconds. */
  auth_time?: number;
  /** The user's full name. */
  name?: string;
  /** The user's username. */
  preferred_username?: string;
  /** The user's email address. */
  email?: string;
  [claim: string]: unknown;
}

/** A decoded id_token: its claims and the payload's JSON text. */
export interface DecodedIdToken {
  claims: IdTokenClaims;
  raw: string;
}

export interface IdTokenExpectations {
  clientID: string;
  /** When set, `iss` must equal it. */
  issuer?: string;
  /** Seconds of clock difference tolerated on `exp`, `iat` and `nbf`. */
  clockTolerance: number;
  /** When set, the `nonce` claim must equal it. */
  nonce?: string;
  /** Epoch milliseconds; defaults to now. */
  now?: number;
}

/** The header of an unsecured JWT: jose checks a claims set on its own only inside one. */
const UNSECURED_HEADER = Buffer.from('{"alg":"none"}').toString('base64url');

/** The claims jose requires besides `aud` (from `audience`), `iss` (from `issuer`) and `iat` (from `maxTokenAge`). */
const REQUIRED_CLAIMS = ['sub', 'exp'];

/** What a failed claim check says, by jose's `claim` and `reason`. */
const CLAIM_FAILURES: Record<string, string> = {
  'sub missing': 'id_token has no subject (sub)',
  'aud missing': 'id_token has no audience (aud)',
  'aud check_failed': 'id_token audience (aud) does not include this client',
  'exp missing': 'id_token has no numeric expiry (exp)',
  'exp invalid': 'id_token has no numeric expiry (exp)',
  'exp check_failed': 'id_token has expired (exp)',
  'iat missing': 'id_token has no numeric issue time (iat)',
  'iat invalid': 'id_token has no numeric issue time (iat)',
  'iat check_failed': 'id_token was issued in the future (iat)',
  'nbf invalid': 'id_token has a non-numeric not-before time (nbf)',
  'nbf check_failed': 'id_token is not valid yet (nbf)',
};

/**
 * Decodes an id_token and checks its claims (OpenID Connect Core §3.1.3.7)
 * with jose: `aud` holds the client id, `exp` is in the future, `iat` and
 * `nbf` are not, `iss` is the expected issuer; then `sub` is a non-empty
 * string, `azp` names the client (and is present when `aud` has several
 * values) and `nonce` is the expected one. The signature is not checked here.
 * Throws an {@link IdTokenError} naming the failed check.
 */
export function validateIdToken(idToken: unknown, expect: IdTokenExpectations): DecodedIdToken {
  const parts = splitIdToken(idToken);
  const header = decodeHeader(parts[0]);
  let claims: IdTokenClaims | undefined;
  let failure: unknown;
  try {
    // jose's claim checks run synchronously only through UnsecuredJWT.decode: the payload goes
    // there under an `alg: none` header; the real header is checked below and the signature apart.
    claims = UnsecuredJWT.decode(`${UNSECURED_HEADER}.${parts[1]}.`, {
      audience: expect.clientID,
      issuer: expect.issuer,
      requiredClaims: REQUIRED_CLAIMS,
      // No maximum age, but with one jose requires `iat` and refuses it in the future.
      maxTokenAge: Infinity,
      clockTolerance: expect.clockTolerance,
      currentDate: new Date(expect.now ?? Date.now()),
    }).payload as IdTokenClaims;
  } catch (error) {
    if (error instanceof JWTInvalid) throw notJSON();
    failure = error;
  }
  checkHeader(header);
  if (!claims) throw claimFailure(failure, expect.issuer);

  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw new IdTokenError('id_token has no subject (sub)', 'sub');
  }
  if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp === undefined) {
    throw new IdTokenError('id_token has several audiences but no authorized party (azp)', 'azp');
  }
  if (claims.azp !== undefined && claims.azp !== expect.clientID) {
    throw new IdTokenError('id_token authorized party (azp) is not this client', 'azp');
  }
  if (expect.nonce !== undefined && claims.nonce !== expect.nonce) {
    throw new IdTokenError(
      claims.nonce === undefined ? 'id_token has no nonce' : 'id_token nonce does not match this sign-in',
      'nonce',
    );
  }
  return { claims, raw: Buffer.from(parts[1], 'base64url').toString('utf8') };
}

/**
 * Decodes a compact JWT with jose and refuses `alg: none` and any `crit`
 * header, but checks no claim.
 */
export function decodeIdToken(idToken: unknown): DecodedIdToken {
  const parts = splitIdToken(idToken);
  const header = decodeHeader(parts[0]);
  let claims: IdTokenClaims;
  try {
    claims = decodeJwt<IdTokenClaims>(idToken as string);
  } catch {
    throw notJSON();
  }
  checkHeader(header);
  return { claims, raw: Buffer.from(parts[1], 'base64url').toString('utf8') };
}

/** The three parts of a compact JWT. */
function splitIdToken(idToken: unknown): string[] {
  if (idToken === undefined || idToken === null || idToken === '') {
    throw new IdTokenError("JustLogin's token response has no id_token", 'missing');
  }
  const parts = typeof idToken === 'string' ? idToken.split('.') : [];
  if (parts.length !== 3) {
    throw new IdTokenError('id_token is not a compact JWT (header.payload.signature)', 'format');
  }
  return parts;
}

function decodeHeader(encoded: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader({ protected: encoded, signature: '' });
  } catch {
    throw notJSON();
  }
}

function notJSON(): IdTokenError {
  return new IdTokenError('id_token header or payload is not base64url-encoded JSON', 'format');
}

function checkHeader(header: ProtectedHeaderParameters): void {
  if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') {
    throw new IdTokenError('id_token is not signed (alg: none)', 'signature');
  }
  // RFC 7515 §4.1.11: extensions listed in crit must be understood; this client understands none.
  if ('crit' in header) {
    throw new IdTokenError('id_token header lists critical extensions (crit) this client does not support', 'crit');
  }
}

/** jose's claim failure as an `IdTokenError` with the same check name and none of the token's contents. */
function claimFailure(error: unknown, issuer: string | undefined): IdTokenError {
  if (!(error instanceof JWTClaimValidationFailed || error instanceof JWTExpired)) {
    return new IdTokenError('id_token claims could not be checked', 'format');
  }
  const { claim, reason } = error;
  if (claim === 'iss') return new IdTokenError(`id_token issuer (iss) is not ${issuer}`, 'iss');
  const message = CLAIM_FAILURES[`${claim} ${reason}`];
  return message
    ? new IdTokenError(message, claim as IdTokenCheck)
    : new IdTokenError('id_token claims are invalid', 'format');
}
