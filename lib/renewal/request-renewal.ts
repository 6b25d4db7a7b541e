// The framework-neutral part of keepTokensFresh, keepTokensFreshFastify and keepTokensFreshKoa:
// read the request's tokens, renew them when due, store them unless newer ones were stored
// meanwhile, and tell a failure that needs a new sign-in from any other.
import { JustLoginError, JustLoginOptionsError } from '../errors';
import { readOptions, rules, type OptionSpec } from '../client/options';
import { SKEW_MS, type EnsureFreshOptions, type JustLoginRefresher } from './refresher';
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

const OPTIONS = {
  get: { rule: rules.func, required: true },
  set: { rule: rules.func, required: true },
  skewMs: SKEW_MS,
  onReauthenticate: { rule: rules.func },
} satisfies Record<keyof TokenAccess<unknown> | 'onReauthenticate', OptionSpec>;

/**
 * Reads an adapter's options (`get`, `set`, `skewMs`, `onReauthenticate`) and
 * checks its refresher, throwing one {@link JustLoginOptionsError} naming
 * `component`; returns the renewal of one request and the `onReauthenticate`
 * given, if any.
 */
export function tokenRenewal<Req, OnReauthenticate>(
  component: string,
  refresher: Pick<JustLoginRefresher, 'ensureFresh'>,
  options: TokenAccess<Req> & { onReauthenticate?: OnReauthenticate },
): { renew: RenewTokens<Req>; onReauthenticate?: OnReauthenticate } {
  if (typeof refresher?.ensureFresh !== 'function') {
    throw new JustLoginOptionsError(component, ['`refresher` must have a method `ensureFresh`']);
  }
  const settings = readOptions<Required<TokenAccess<Req>> & { onReauthenticate?: OnReauthenticate }>(
    component,
    options,
    OPTIONS,
  );
  const { get, set } = settings;
  return { renew: renewal(refresher, get, set, settings), onReauthenticate: settings.onReauthenticate };
}

/** The renewal of one request's tokens, read with `get` and stored with `set`. */
function renewal<Req>(
  refresher: Pick<JustLoginRefresher, 'ensureFresh'>,
  get: TokenAccess<Req>['get'],
  set: TokenAccess<Req>['set'],
  settings: EnsureFreshOptions,
): RenewTokens<Req> {
  return async (req) => {
    try {
      const tokens = await get(req);
      if (tokens) {
        const fresh = await refresher.ensureFresh(tokens, settings); // read: ensureFresh reads it no more
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
  if (error instanceof JustLoginError) return error.reauthenticate;
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return code === 'invalid_grant' || code === 'ENOREFRESHTOKEN';
}
