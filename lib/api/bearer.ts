// The tokens API calls carry, renewed through the refresher when due and after a 401.
import { JustLoginApiError, JustLoginError, NoRefreshTokenError } from '../errors';
import type { JustLoginRefresher } from '../renewal/refresher';
import { isExpired, type JustLoginTokenSet } from '../token-set';

/**
 * Stores renewed tokens (e.g. in the session); awaited before the call that renewed them goes on.
 *
 * @group API
 */
export type OnTokens = (tokens: JustLoginTokenSet) => void | Promise<void>;

/**
 * The current tokens of one API client. A renewal goes through the refresher
 * (its single flight, grace window and coordinator), runs once however many
 * calls need it at the same time, and is handed to `onTokens` before any of
 * them goes on; only then do the renewed tokens become the current ones.
 */
export class BearerTokens {
  #tokens: JustLoginTokenSet;
  #renewing?: Promise<JustLoginTokenSet>;
  readonly #refresher: Pick<JustLoginRefresher, 'refresh' | 'ensureFresh'>;
  readonly #onTokens?: OnTokens;
  readonly #skewMs: number;

  constructor(
    refresher: Pick<JustLoginRefresher, 'refresh' | 'ensureFresh'>,
    tokens: JustLoginTokenSet,
    onTokens: OnTokens | undefined,
    skewMs: number,
  ) {
    this.#refresher = refresher;
    this.#tokens = tokens;
    this.#onTokens = onTokens;
    this.#skewMs = skewMs;
  }

  get current(): JustLoginTokenSet {
    return this.#tokens;
  }

  /**
   * The tokens to call with: the current ones, renewed first when the access token expires within
   * the skew (as `ensureFresh` does: while JustLogin cannot renew, a still-valid one serves).
   */
  fresh(): Promise<JustLoginTokenSet> {
    if (this.#renewing) return this.#renewing;
    if (!isExpired(this.#tokens, this.#skewMs)) return Promise.resolve(this.#tokens);
    return this.#renew(this.#tokens, true);
  }

  /** The tokens to call with after JustLogin refused `used` with a 401: renewed, unless that happened meanwhile. */
  afterRefusal(used: JustLoginTokenSet): Promise<JustLoginTokenSet> {
    if (this.#renewing) return this.#renewing;
    if (this.#tokens !== used) return Promise.resolve(this.#tokens);
    return this.#renew(used, false);
  }

  /** Renews `from`: ahead of expiry (`ensureFresh`, which may hand `from` back), or because JustLogin refused it. */
  #renew(from: JustLoginTokenSet, ahead: boolean): Promise<JustLoginTokenSet> {
    const renewing = (async () => {
      let next: JustLoginTokenSet;
      try {
        if (!from.refreshToken) throw new NoRefreshTokenError();
        const { refreshToken, accessToken, idToken, scope } = from;
        next = ahead
          ? await this.#refresher.ensureFresh(from, { skewMs: this.#skewMs })
          : await this.#refresher.refresh({ refreshToken, accessToken, idToken, scope });
      } catch (error) {
        throw renewalFailed(error);
      }
      if (next === from) return from; // put off: JustLogin could not renew, the access token still serves
      await this.#onTokens?.(next);
      this.#tokens = next;
      return next;
    })();
    this.#renewing = renewing;
    const done = () => {
      if (this.#renewing === renewing) this.#renewing = undefined;
    };
    renewing.then(done, done);
    return renewing;
  }
}

/** The error of a renewal that failed: the user must sign in again when the refresh token was refused. */
function renewalFailed(error: unknown): unknown {
  if (!(error instanceof JustLoginError)) return error;
  const status = (error as { status?: number }).status;
  const then = error.reauthenticate
    ? '; the user must sign in with JustLogin again'
    : error.retryable
      ? '; the call may be retried'
      : '';
  return new JustLoginApiError(
    `The access token for JustLogin's API could not be renewed (${error.code})${then}`,
    error.code,
    { status, retryable: error.retryable, reauthenticate: error.reauthenticate, cause: error },
  );
}
