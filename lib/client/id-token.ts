import { decodeJwt, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { IdTokenError } from '../errors';

/**
 * The id_token claims JustLogin sends, plus any others it adds.
 *
 * @group Sign-in
 */
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

/**
 * Decodes an id_token with jose and checks its claims (OpenID Connect Core
 * §3.1.3.7): `iss` is the expected issuer, `aud` holds the client id, `exp`
 * is in the future, `iat` and `nbf` are not (each within `clockTolerance`),
 * `sub` is a non-empty string, `azp` names the client (and is present when
 * `aud` has several values) and `nonce` is the expected one. The signature is
 * not checked here. Throws an {@link IdTokenError} naming the failed check;
 * a problem with the header comes before any with the claims.
 */
export function validateIdToken(idToken: unknown, expect: IdTokenExpectations): DecodedIdToken {
  const decoded = decodeIdToken(idToken);
  checkClaims(decoded.claims, expect);
  return decoded;
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

function checkClaims(claims: IdTokenClaims, expect: IdTokenExpectations): void {
  const now = Math.floor((expect.now ?? Date.now()) / 1000);
  const tolerance = expect.clockTolerance;
  if (expect.issuer !== undefined && claims.iss !== expect.issuer) {
    throw new IdTokenError(`id_token issuer (iss) is not ${expect.issuer}`, 'iss');
  }
  const { aud, exp, iat, nbf } = claims as Record<string, unknown>;
  if (aud === undefined) throw new IdTokenError('id_token has no audience (aud)', 'aud');
  if (aud !== expect.clientID && !(Array.isArray(aud) && aud.includes(expect.clientID))) {
    throw new IdTokenError('id_token audience (aud) does not include this client', 'aud');
  }
  if (typeof exp !== 'number') throw new IdTokenError('id_token has no numeric expiry (exp)', 'exp');
  if (exp <= now - tolerance) throw new IdTokenError('id_token has expired (exp)', 'exp');
  if (typeof iat !== 'number') throw new IdTokenError('id_token has no numeric issue time (iat)', 'iat');
  if (iat > now + tolerance) throw new IdTokenError('id_token was issued in the future (iat)', 'iat');
  if (nbf !== undefined) {
    if (typeof nbf !== 'number') throw new IdTokenError('id_token has a non-numeric not-before time (nbf)', 'nbf');
    if (nbf > now + tolerance) throw new IdTokenError('id_token is not valid yet (nbf)', 'nbf');
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw new IdTokenError('id_token has no subject (sub)', 'sub');
  }
  if (Array.isArray(aud) && aud.length > 1 && claims.azp === undefined) {
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
