import { identityFromClaims, text, type AccessTokenClaims, type JustLoginIdentity } from '../access-token';
import type { IdTokenClaims } from '../client/id-token';

/**
 * The Passport profile of a JustLogin user: the id_token's claims first, then those of the access
 * token when it is a JWT naming the same issuer and user. JustLogin's identity (`userGuid`,
 * `companyGuid`, `roles`, …) usually travels in the access token only.
 *
 * @group Sign-in
 */
export interface JustLoginProfile extends JustLoginIdentity {
  /** Always `'justlogin'`. */
  provider: 'justlogin';
  /** The `sub` claim: JustLogin's stable id for this user. */
  id: string;
  /** `name`, or given and family name. */
  displayName?: string;
  /** `preferred_username`, or JustLogin's `Username`. */
  username?: string;
  /** `email`, or JustLogin's `WorkEmail`. */
  emails?: Array<{
    /** The address. */
    value: string;
    /** Its kind, e.g. `work`. */
    type?: string;
  }>;
  /** Every claim of the id_token. */
  _json: IdTokenClaims;
  /** The id_token payload as JSON text. */
  _raw: string;
  /** Every claim of the access token, when it is a JWT of the same issuer and user; absent when it is opaque. */
  _accessTokenClaims?: AccessTokenClaims;
}

/**
 * Maps id_token claims, then access token claims, to a Passport profile.
 * Standard OpenID Connect claims win; JustLogin-style names (`Username`,
 * `WorkEmail`, …) fill the gaps and are never required.
 */
export function parseProfile(claims: IdTokenClaims, raw: string, accessClaims?: AccessTokenClaims): JustLoginProfile {
  const fromIdToken = identityFromClaims(claims);
  const fromAccessToken = accessClaims ? identityFromClaims(accessClaims) : { roles: [] };
  const profile: JustLoginProfile = {
    provider: 'justlogin',
    id: claims.sub,
    ...fromAccessToken,
    ...fromIdToken,
    roles: fromIdToken.roles.length > 0 ? fromIdToken.roles : fromAccessToken.roles,
    _json: claims,
    _raw: raw,
  };
  if (accessClaims) profile._accessTokenClaims = accessClaims;
  const name =
    text(claims.name) ??
    text([text(claims.given_name), text(claims.family_name)].filter(Boolean).join(' ')) ??
    text(claims.FullName) ??
    text(accessClaims?.name);
  if (name) profile.displayName = name;
  const username = text(claims.preferred_username) ?? text(claims.Username) ?? text(accessClaims?.Username);
  if (username) profile.username = username;
  const email = text(claims.email);
  const workEmail = text(claims.WorkEmail) ?? text(accessClaims?.WorkEmail);
  if (email) profile.emails = [{ value: email }];
  if (workEmail && workEmail !== email) (profile.emails ??= []).push({ value: workEmail, type: 'work' });
  return profile;
}
