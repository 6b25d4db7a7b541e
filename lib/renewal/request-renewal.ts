// The framework-neutral part of keepTokensFresh, keepTokensFreshFastify and keepTokensFreshKoa:
// read the request's tokens, renew them when due, store them unless newer ones were stored
// meanwhile, and tell a failure that needs a new sign-in from any other.
import { isJustLoginError, JustLoginOptionsError } from '../errors';
import { checkOptions, rules } from '../client/options';
import type { EnsureFreshOptions, JustLoginRefresher } from './refresher';
import type { JustLoginTokenSet } from '../token-set';

/** How an adapter reads and stores one request's tokens; `Req` is what the framework hands it (request or context). */
export interface TokenAccess<Req> extends EnsureFreshOptions {
  /** The request's JustLogin tokens, or `undefined` when it has none (e.g. signed out). */
  get: (req: Req) => JustLoginTokenSet | undefined | Promise<JustLoginTokenSet | undefined>;
  /** Stores renewed tokens for the request (and wherever they persist, e.g. the session). */
  set: (req: Req, tokens: JustLoginTokenSet) => void | Promise<void>;
}

/**
 * An error after which the user must sign in again.
 *
 * @inline
 */
export type ReauthenticationError = Error & { code: string };

/**
 * Renews one request's tokens: resolves `undefined` when the request may go
 * on (tokens fresh, renewed and stored, or none), or with the error when the
 * user must sign in again; rejects with any other failure.
 */
export type RenewTokens<Req> = (req: Req) => Promise<ReauthenticationError | undefined>;

const OPTION_RULES = {
  get: rules.func,
  set: rules.func,
  skewSeconds: rules.nonNegativeSeconds,
  onReauthenticate: rules.func,
};

/**
 * Checks an adapter's refresher and options (`get`, `set`, `skewSeconds`,
 * `onReauthenticate`), throwing one {@link JustLoginOptionsError} naming
 * `component`, and returns the renewal of one request.
 */
export function tokenRenewal<Req>(
  component: string,
  refresher: Pick<JustLoginRefresher, 'ensureFresh'>,
  options: TokenAccess<Req>,
): RenewTokens<Req> {
  if (typeof refresher?.ensureFresh !== 'function') {
    throw new JustLoginOptionsError(component, ['`refresher` must have a method `ensureFresh`']);
  }
  checkOptions(component, options, OPTION_RULES, ['get', 'set']);
  const { get, set, skewSeconds } = options;
  return async (req) => {
    try {
      const tokens = await get(req);
      if (tokens) {
        const fresh = await refresher.ensureFresh(tokens, { skewSeconds });
        if (fresh !== tokens && !storedMeanwhile(tokens, fresh, await get(req))) await set(req, fresh);
      }
    } catch (error) {
      if (mustSignInAgain(error)) return error;
      throw error;
    }
    return undefined;
  };
}

/** True when `current`, read again after renewing `before`, is other tokens at least as new as `renewed`. */
function storedMeanwhile(
  before: JustLoginTokenSet,
  renewed: JustLoginTokenSet,
  current: JustLoginTokenSet | undefined,
): boolean {
  if (!current || current === before) return false;
  return (current.expiresAt ?? -Infinity) >= (renewed.expiresAt ?? -Infinity);
}

/** The error says so (`reauthenticate`), or an error from elsewhere has the code of a refused or missing refresh token. */
function mustSignInAgain(error: unknown): error is ReauthenticationError {
  if (isJustLoginError(error)) return error.reauthenticate;
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return code === 'invalid_grant' || code === 'no_refresh_token';
}
