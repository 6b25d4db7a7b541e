/**
 * JustLogin's tokens for one user, as an app stores them.
 *
 * @group Renewal
 */
export interface JustLoginTokenSet {
  /** The access token, sent as `Authorization: Bearer` to JustLogin's API. */
  accessToken: string;
  /** Absent only when JustLogin issued none. */
  refreshToken?: string;
  /** The id_token of the sign-in or of the latest renewal that sent one. */
  idToken?: string;
  /** Always `Bearer` from JustLogin. */
  tokenType: string;
  /** The scope JustLogin granted. */
  scope?: string;
  /** Lifetime in seconds, as JustLogin sent it (whole seconds, at most 86400; see {@link toTokenSet}). */
  expiresIn?: number;
  /** When the access token expires, in epoch seconds, computed on receipt. */
  expiresAt?: number;
}

/**
 * The token-response fields a verify callback receives as `params`.
 *
 * @group Renewal
 */
export interface JustLoginTokenParams {
  /** `Bearer`. */
  token_type?: string;
  /** The access token's lifetime in seconds. */
  expires_in?: number | string;
  /** The id_token, already checked. */
  id_token?: string;
  /** The scope JustLogin granted. */
  scope?: string;
  [extra: string]: unknown;
}

/** The longest access-token lifetime believed, in seconds (24 h). */
const MAX_EXPIRES_IN = 86_400;

/**
 * Turns what the verify callback receives (`accessToken`, `refreshToken`,
 * `params`) into a {@link JustLoginTokenSet}, so the app can store `expiresAt`
 * from the first sign-in. `now` (epoch ms) is when the response arrived.
 *
 * `expires_in` is read by one rule: a JSON number, or a string of decimal
 * digits only, that is 0 or more, floored to whole seconds and capped at
 * 86400 (24 h), so that a huge value does not mean "never renew". Anything
 * else (`null`, `""`, `true`, `[]`, `{}`, `NaN`, a negative number, `"12abc"`,
 * `"1e3"`, `" 60 "`) means the lifetime is unknown: the set has neither
 * `expiresIn` nor `expiresAt`, and {@link isExpired} never reports it expired.
 *
 * @example
 * new JustLoginStrategy(options, (accessToken, refreshToken, params, profile, done) =>
 *   done(null, { id: profile.id, tokens: toTokenSet(accessToken, refreshToken, params) }));
 *
 * @group Renewal
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
  const expiresIn = lifetime(params.expires_in);
  if (expiresIn !== undefined) {
    tokens.expiresIn = expiresIn;
    tokens.expiresAt = Math.floor(now / 1000) + expiresIn;
  }
  return tokens;
}

/**
 * True when the access token expires within `skewMs` milliseconds (default
 * 60000) from `now` (epoch milliseconds). Tokens without a known expiry are
 * never reported expired.
 *
 * @group Renewal
 */
export function isExpired(tokens: JustLoginTokenSet, skewMs = 60_000, now: number = Date.now()): boolean {
  return tokens.expiresAt !== undefined && tokens.expiresAt * 1000 - skewMs <= now;
}

/** `expires_in` in whole seconds by the rule of {@link toTokenSet}, or `undefined` when unknown. */
function lifetime(expiresIn: unknown): number | undefined {
  let seconds = Number.NaN;
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn)) seconds = expiresIn;
  else if (typeof expiresIn === 'string' && /^[0-9]+$/.test(expiresIn)) seconds = Number(expiresIn);
  if (!(seconds >= 0)) return undefined;
  return Math.min(Math.floor(seconds), MAX_EXPIRES_IN) + 0; // + 0 turns -0 into 0
}
