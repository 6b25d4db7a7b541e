/** JustLogin's tokens for one user, as an app stores them. */
export interface JustLoginTokenSet {
  accessToken: string;
  /** Absent only when JustLogin issued none. */
  refreshToken?: string;
  idToken?: string;
  /** Always `Bearer` from JustLogin. */
  tokenType: string;
  scope?: string;
  /** Lifetime in seconds, as JustLogin sent it. */
  expiresIn?: number;
  /** When the access token expires, in epoch seconds, computed on receipt. */
  expiresAt?: number;
}

/** The token-response fields a verify callback receives as `params`. */
export interface JustLoginTokenParams {
  token_type?: string;
  expires_in?: number | string;
  id_token?: string;
  scope?: string;
  [extra: string]: unknown;
}

/**
 * Turns what the verify callback receives (`accessToken`, `refreshToken`,
 * `params`) into a {@link JustLoginTokenSet}, so the app can store `expiresAt`
 * from the first sign-in. `now` (epoch ms) is when the response arrived.
 *
 * @example
 * new JustLoginStrategy(options, (accessToken, refreshToken, params, profile, done) =>
 *   done(null, { id: profile.id, tokens: toTokenSet(accessToken, refreshToken, params) }));
 */
export function toTokenSet(
  accessToken: string,
  refreshToken: string | undefined,
  params: JustLoginTokenParams,
  now: number = Date.now(),
): JustLoginTokenSet {
  const tokens: JustLoginTokenSet = { accessToken, tokenType: params.token_type ?? 'Bearer' };
  if (refreshToken) tokens.refreshToken = refreshToken;
  if (typeof params.id_token === 'string') tokens.idToken = params.id_token;
  if (typeof params.scope === 'string') tokens.scope = params.scope;
  const expiresIn = Number(params.expires_in);
  if (params.expires_in !== undefined && Number.isFinite(expiresIn) && expiresIn >= 0) {
    tokens.expiresIn = expiresIn;
    tokens.expiresAt = Math.floor(now / 1000) + expiresIn;
  }
  return tokens;
}

/**
 * True when the access token expires within `skewSeconds` (default 60) from
 * now. Tokens without a known expiry are never reported expired.
 */
export function isExpired(tokens: JustLoginTokenSet, skewSeconds = 60, now: number = Date.now()): boolean {
  return tokens.expiresAt !== undefined && tokens.expiresAt - skewSeconds <= now / 1000;
}
