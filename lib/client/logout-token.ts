import { hash } from 'node:crypto';
import { IdTokenError, LogoutTokenError, type LogoutTokenErrorCode } from '../errors';
import type { ReplayStore } from './replay-store';

/**
 * What a verified logout token says: who signed out, of which session, and the token's id and time.
 *
 * @group Sign-out
 */
export interface LogoutTokenClaims {
  /** The issuer: JustLogin's. */
  iss: string;
  /** The user signed out, when the token names one. */
  sub?: string;
  /** JustLogin's session that ended, when the token names one (the `sid` of that sign-in's id_token). */
  sid?: string;
  /** The token's unique id. */
  jti: string;
  /** When it was issued, in epoch seconds. */
  iat: number;
}

/** What checking a logout token needs from the client. */
export interface LogoutTokenChecks {
  clientID: string;
  /** Seconds of clock difference tolerated on `iat` and `exp`. */
  clockTolerance: number;
  /** The issuer the token must name: configured, discovered, or `<baseURL>/v1/auth`. */
  expectedIssuer(): Promise<string>;
  /** Resolves when the token is signed by one of JustLogin's keys; rejects with an `IdTokenError` otherwise. */
  verifySignature(token: string): Promise<void>;
  /** Where accepted `jti`s are kept. */
  replayStore: ReplayStore;
}

/** The event a logout token must carry (Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How long after `iat` a logout token is accepted. */
export const LOGOUT_TOKEN_MAX_AGE_MS = 5 * 60_000;
/** Longer tokens are refused unread. */
const MAX_LENGTH = 16 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/**
 * The `typ` of a logout token: `logout+jwt` (Back-Channel Logout 1.0 §2.4, as Duende sends it),
 * `JWT` (IdentityServer 4 signs every token so), in any case and with or without `application/`
 * (RFC 7515 §4.1.9); absent is accepted too.
 */
const LOGOUT_TYPES = new Set(['jwt', 'logout+jwt']);

/**
 * Checks a back-channel logout token as OpenID Connect Back-Channel Logout 1.0
 * §2.6 says: a compact JWS of at most 16 KiB with a `typ` that is absent,
 * `JWT` or `logout+jwt`, signed by one of JustLogin's keys, naming the
 * expected `iss`, this client in `aud`, an `iat` neither in the future nor
 * older than 5 minutes (and an `exp`, when present, not passed), the
 * back-channel logout event in `events`, a `sid` or a `sub`, no `nonce`, and
 * a `jti` never accepted before (claimed in the replay store, last, so that
 * only a token that passed every other check uses its id up). Rejects with a
 * {@link LogoutTokenError} whose `code` says which check failed, or with the
 * error of fetching JustLogin's keys or discovery document.
 */
export async function verifyLogoutToken(token: unknown, checks: LogoutTokenChecks): Promise<LogoutTokenClaims> {
  const { header, claims } = decode(token);
  const typ = header.typ;
  if (
    typ !== undefined &&
    !(typeof typ === 'string' && LOGOUT_TYPES.has(typ.toLowerCase().replace(/^application\//, '')))
  ) {
    throw refused('has a `typ` other than JWT or logout+jwt', 'ELOGOUTTYPE');
  }
  try {
    await checks.verifySignature(token as string);
  } catch (error) {
    if (!(error instanceof IdTokenError)) throw error;
    throw error.check === 'crit'
      ? refused('lists critical header extensions (crit) this client does not support', 'ELOGOUTFORMAT')
      : refused("is not signed by one of JustLogin's keys with an accepted algorithm", 'ELOGOUTSIGNATURE');
  }
  const issuer = await checks.expectedIssuer();
  if (claims.iss !== issuer) throw refused(`names an issuer (iss) other than ${issuer}`, 'ELOGOUTISSUER');
  const audience = claims.aud;
  if (!(audience === checks.clientID || (Array.isArray(audience) && audience.includes(checks.clientID)))) {
    throw refused('is not for this client (aud)', 'ELOGOUTAUDIENCE');
  }
  const now = Date.now() / 1000;
  const { iat, exp } = claims;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw refused('has no numeric issue time (iat)', 'ELOGOUTIAT');
  if (iat > now + checks.clockTolerance) throw refused('was issued in the future (iat)', 'ELOGOUTIAT');
  if (iat < now - LOGOUT_TOKEN_MAX_AGE_MS / 1000 - checks.clockTolerance) {
    throw refused('was issued more than 5 minutes ago (iat)', 'ELOGOUTEXPIRED');
  }
  if (exp !== undefined && !(typeof exp === 'number' && exp > now - checks.clockTolerance)) {
    throw refused('has expired (exp)', 'ELOGOUTEXPIRED');
  }
  const events = claims.events;
  if (!isObject(events) || !isObject(events[BACKCHANNEL_LOGOUT_EVENT])) {
    throw refused(`has no events claim holding ${BACKCHANNEL_LOGOUT_EVENT}`, 'ELOGOUTEVENTS');
  }
  if (claims.nonce !== undefined) throw refused('has a nonce: it is not a logout token', 'ELOGOUTNONCE');
  const { sid, sub } = claims;
  const named = (value: unknown) => typeof value === 'string' && value !== '';
  if ((sid !== undefined && !named(sid)) || (sub !== undefined && !named(sub)) || (!named(sid) && !named(sub))) {
    throw refused('names neither a session (sid) nor a user (sub)', 'ELOGOUTSUBJECT');
  }
  const { jti } = claims;
  if (!named(jti)) throw refused('has no id (jti)', 'ELOGOUTJTI');
  // Kept while a token with this id could still be accepted: until its iat is too old, clock differences included.
  const ttlMs = LOGOUT_TOKEN_MAX_AGE_MS + 2 * checks.clockTolerance * 1000;
  if (!(await checks.replayStore.claim(replayId(issuer, jti as string), ttlMs))) {
    throw refused('was accepted before (jti): a replay', 'ELOGOUTREPLAY');
  }
  return {
    iss: issuer,
    ...(named(sub) ? { sub: sub as string } : {}),
    ...(named(sid) ? { sid: sid as string } : {}),
    jti: jti as string,
    iat,
  };
}

/** The id a logout token is remembered by: the SHA-256 of its issuer and `jti`, so that any `jti` makes a short key. */
function replayId(issuer: string, jti: string): string {
  return hash('sha256', `${issuer}\0${jti}`, 'hex');
}

/** The header and claims of a compact JWS of at most 16 KiB, each a JSON object. */
function decode(token: unknown): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const parts = typeof token === 'string' && token.length <= MAX_LENGTH ? token.split('.') : [];
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    throw refused('is not a compact JWS (header.payload.signature) of at most 16 KiB', 'ELOGOUTFORMAT');
  }
  const header = jsonObject(parts[0]);
  const claims = jsonObject(parts[1]);
  if (!header || !claims) throw refused('has a header or payload that is not base64url-encoded JSON', 'ELOGOUTFORMAT');
  return { header, claims };
}

function jsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refused(what: string, code: LogoutTokenErrorCode): LogoutTokenError {
  return new LogoutTokenError(`The logout token ${what}`, code);
}
