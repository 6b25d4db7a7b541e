import { IdTokenError } from './errors';

/** The id_token claims JustLogin sends, plus any others it adds. */
export interface IdTokenClaims {
  iss?: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nbf?: number;
  azp?: string;
  nonce?: string;
  auth_time?: number;
  name?: string;
  preferred_username?: string;
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

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Decodes an id_token and checks its claims (OpenID Connect Core §3.1.3.7):
 * `aud` holds the client id (and `azp` names it when `aud` has several
 * values), `exp` is in the future, `iat` and `nbf` are not, `iss` is the
 * expected issuer.
 * Throws an {@link IdTokenError} naming the failed check.
 */
export function validateIdToken(idToken: unknown, expect: IdTokenExpectations): DecodedIdToken {
  const decoded = decodeIdToken(idToken);
  const { claims } = decoded;
  const now = Math.floor((expect.now ?? Date.now()) / 1000);
  const tolerance = expect.clockTolerance;

  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw new IdTokenError('id_token has no subject (sub)', 'sub');
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(expect.clientID)) {
    throw new IdTokenError('id_token audience (aud) does not include this client', 'aud');
  }
  if (audiences.length > 1 && claims.azp === undefined) {
    throw new IdTokenError('id_token has several audiences but no authorized party (azp)', 'azp');
  }
  if (claims.azp !== undefined && claims.azp !== expect.clientID) {
    throw new IdTokenError('id_token authorized party (azp) is not this client', 'azp');
  }
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) {
    throw new IdTokenError('id_token has no numeric expiry (exp)', 'exp');
  }
  if (claims.exp + tolerance <= now) {
    throw new IdTokenError('id_token has expired (exp)', 'exp');
  }
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) {
    throw new IdTokenError('id_token has no numeric issue time (iat)', 'iat');
  }
  if (claims.iat - tolerance > now) {
    throw new IdTokenError('id_token was issued in the future (iat)', 'iat');
  }
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || !Number.isFinite(claims.nbf))) {
    throw new IdTokenError('id_token has a non-numeric not-before time (nbf)', 'nbf');
  }
  if (claims.nbf !== undefined && claims.nbf - tolerance > now) {
    throw new IdTokenError('id_token is not valid yet (nbf)', 'nbf');
  }
  if (expect.issuer !== undefined && claims.iss !== expect.issuer) {
    throw new IdTokenError(`id_token issuer (iss) is not ${expect.issuer}`, 'iss');
  }
  if (expect.nonce !== undefined && claims.nonce !== expect.nonce) {
    throw new IdTokenError(
      claims.nonce === undefined ? 'id_token has no nonce' : 'id_token nonce does not match this sign-in',
      'nonce',
    );
  }
  return decoded;
}

/**
 * Splits a compact JWT and parses its header and payload; refuses `alg: none`
 * and any `crit` header, but checks no claim.
 */
export function decodeIdToken(idToken: unknown): DecodedIdToken {
  if (idToken === undefined || idToken === null || idToken === '') {
    throw new IdTokenError("JustLogin's token response has no id_token", 'missing');
  }
  const parts = typeof idToken === 'string' ? idToken.split('.') : [];
  if (parts.length !== 3 || !BASE64URL.test(parts[0]) || !BASE64URL.test(parts[1])) {
    throw new IdTokenError('id_token is not a compact JWT (header.payload.signature)', 'format');
  }
  const header = parseJSONObject(Buffer.from(parts[0], 'base64url').toString('utf8'));
  const raw = Buffer.from(parts[1], 'base64url').toString('utf8');
  const payload = parseJSONObject(raw);
  if (!header || !payload) {
    throw new IdTokenError('id_token header or payload is not base64url-encoded JSON', 'format');
  }
  if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') {
    throw new IdTokenError('id_token is not signed (alg: none)', 'signature');
  }
  // RFC 7515 §4.1.11: extensions listed in crit must be understood; this client understands none.
  if ('crit' in header) {
    throw new IdTokenError('id_token header lists critical extensions (crit) this client does not support', 'crit');
  }
  return { claims: payload as IdTokenClaims, raw };
}

function parseJSONObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
