import type { IdTokenClaims } from '../client/id-token';

/** The Passport profile of a JustLogin user, built from the id_token. */
export interface JustLoginProfile {
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
}

/**
 * Maps id_token claims to a Passport profile. Standard OpenID Connect claims
 * win; JustLogin-style names (`Username`, `WorkEmail`, …) fill the gaps and are
 * never required.
 */
export function parseProfile(claims: IdTokenClaims, raw: string): JustLoginProfile {
  const profile: JustLoginProfile = { provider: 'justlogin', id: claims.sub, _json: claims, _raw: raw };
  const name =
    text(claims.name) ??
    text([text(claims.given_name), text(claims.family_name)].filter(Boolean).join(' ')) ??
    text(claims.FullName);
  if (name) profile.displayName = name;
  const username = text(claims.preferred_username) ?? text(claims.Username);
  if (username) profile.username = username;
  const email = text(claims.email);
  const workEmail = text(claims.WorkEmail);
  if (email) profile.emails = [{ value: email }];
  if (workEmail && workEmail !== email) (profile.emails ??= []).push({ value: workEmail, type: 'work' });
  return profile;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
