// Who a JustLogin access token names. JustLogin's access token is a JWT whose claims carry the user's
// JustLogin identity (UserGUID, CompanyGUID, role, …), while its id_token may carry protocol claims only.
import { decodeJwt } from 'jose';
import type { JustLoginTokenSet } from './token-set';

/**
 * The claims of a JustLogin access token that is a JWT, as JustLogin's own SDKs read them.
 *
 * @group Sign-in
 */
export interface AccessTokenClaims {
  /** The issuer. */
  iss?: string;
  /** The user, as in the id_token's `sub`. */
  sub?: string;
  /** The user's GUID in JustLogin's API. */
  UserGUID?: string;
  /** The user's company's GUID in JustLogin's API. */
  CompanyGUID?: string;
  /** The Company Id the user signs in with, e.g. `ACME`. */
  CompanyID?: string;
  /** The company's name. */
  CompanyName?: string;
  /** The username. */
  Username?: string;
  /** The user's full name. */
  name?: string;
  /** The user's work email address. */
  WorkEmail?: string;
  /** The user's country, e.g. `SG`. */
  CountryCode?: string;
  /** The user's role, or roles when several. */
  role?: string | string[];
  [claim: string]: unknown;
}

/**
 * Who signed in, as JustLogin's API knows them: read from the claims of an id_token or an access token.
 *
 * @group Sign-in
 */
export interface JustLoginIdentity {
  /** The user's GUID in JustLogin's API (`UserGUID`). */
  userGuid?: string;
  /** The user's company's GUID in JustLogin's API (`CompanyGUID`). */
  companyGuid?: string;
  /** The Company Id the user signs in with (`CompanyID`), e.g. `ACME`. */
  companyId?: string;
  /** The company's name (`CompanyName`). */
  companyName?: string;
  /** The user's roles (`role`), empty when none. */
  roles: string[];
  /** The user's country (`CountryCode`), when present. */
  countryCode?: string;
}

/** The most roles read from one token; a JWT holding more is not one JustLogin issued. */
const MAX_ROLES = 100;

/**
 * The claims of `accessToken` when it is a JWT, without checking it; `undefined` for an opaque
 * (reference) token or one that does not decode.
 */
export function decodeAccessToken(accessToken: string): AccessTokenClaims | undefined {
  if (accessToken.split('.').length !== 3) return undefined;
  try {
    return decodeJwt(accessToken);
  } catch {
    return undefined;
  }
}

/** JustLogin's identity in `claims` (an id_token's or an access token's). */
export function identityFromClaims(claims: Record<string, unknown>): JustLoginIdentity {
  const identity: JustLoginIdentity = { roles: rolesOf(claims.role) };
  const fields = [
    ['userGuid', 'UserGUID'],
    ['companyGuid', 'CompanyGUID'],
    ['companyId', 'CompanyID'],
    ['companyName', 'CompanyName'],
    ['countryCode', 'CountryCode'],
  ] as const;
  for (const [field, claim] of fields) {
    const value = text(claims[claim]);
    if (value !== undefined) identity[field] = value;
  }
  return identity;
}

/**
 * Who the access token of `tokens` names: the signed-in user's JustLogin identity, as it stands after
 * the latest renewal (roles may change). `undefined` when the access token is opaque. The token is
 * decoded, not checked: use it on tokens the app received from JustLogin and kept.
 *
 * @example
 * const identity = identityOf(req.session.justlogin);
 * if (identity?.roles.includes('Admin')) { … }
 *
 * @group Sign-in
 */
export function identityOf(tokens: Pick<JustLoginTokenSet, 'accessToken'>): JustLoginIdentity | undefined {
  const claims = typeof tokens?.accessToken === 'string' ? decodeAccessToken(tokens.accessToken) : undefined;
  return claims && identityFromClaims(claims);
}

/** A claim as trimmed text, or `undefined` when it is not a non-empty string or a finite number. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function rolesOf(role: unknown): string[] {
  const values = Array.isArray(role) ? role.slice(0, MAX_ROLES) : [role];
  return values.map(text).filter((value): value is string => value !== undefined);
}
