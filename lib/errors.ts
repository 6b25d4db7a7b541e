import { TokenError } from 'passport-oauth2';

/**
 * What every error of this package carries, whatever its class: `code` says
 * what went wrong, `retryable` whether the same call may succeed later, and
 * `reauthenticate` whether the user must sign in with JustLogin again (the
 * refresh token was refused or is missing, or a refreshed id_token failed its
 * checks).
 */
export interface JustLoginErrorFields {
  /** What went wrong, e.g. `invalid_grant` or `ETIMEDOUT`. */
  readonly code: string;
  /** Whether the same call may succeed later. */
  readonly retryable: boolean;
  /** Whether the user must sign in with JustLogin again. */
  readonly reauthenticate: boolean;
}

/**
 * JustLogin's token endpoint answered with an OAuth 2.0 error (RFC 6749 §5.2).
 * `code` is the OAuth error (`invalid_grant`, `invalid_client`, …) and `status`
 * the HTTP status. `invalid_grant` on a refresh means the user must sign in again, as
 * does `invalid_token`: JustLogin's refresh request carries the access token, and it was refused.
 */
export class JustLoginTokenError extends TokenError implements JustLoginErrorFields {
  /** True when the same request may succeed later (`5xx`, `temporarily_unavailable`). */
  readonly retryable: boolean;
  /** True for `invalid_grant` (the code or refresh token is spent, expired or revoked) and `invalid_token`. */
  readonly reauthenticate: boolean;

  constructor(message: string, code: string, status: number, uri?: string) {
    super(message, code, uri, status);
    this.name = 'JustLoginTokenError';
    this.retryable = status >= 500 || code === 'temporarily_unavailable';
    this.reauthenticate = code === 'invalid_grant' || code === 'invalid_token';
  }
}

/**
 * A request to JustLogin (its token endpoint or its JWKS) did not produce a
 * usable answer: a timeout for the whole exchange (`ETIMEDOUT`), a refused or
 * reset connection (`ECONNREFUSED`, `ECONNRESET`, …), an HTTP error without an
 * OAuth error body (`EHTTPSTATUS`), a redirect (`EREDIRECT`), a body over 1 MiB
 * (`ETOOLARGE`), a body that is not a valid answer (`EBADRESPONSE`), or a
 * request that could not be sent as given, such as a stored access token with
 * a character outside %x20-7E (`EBADREQUEST`). A refresh coordinated through
 * Redis fails with it too: another instance did not finish in time
 * (`ETIMEDOUT`), or renewed tokens this instance cannot decrypt because the
 * instances were given different secrets (`EDECRYPT`).
 */
export class JustLoginRequestError extends Error implements JustLoginErrorFields {
  /** What went wrong: one of the codes above. */
  readonly code: string;
  /** HTTP status, when JustLogin answered at all. */
  readonly status?: number;
  /** True when the same request may succeed later. */
  readonly retryable: boolean;
  /** Always false: the request may be tried again, the sign-in stands. */
  readonly reauthenticate = false;

  constructor(message: string, code: string, options: { status?: number; retryable: boolean }) {
    super(message);
    this.name = 'JustLoginRequestError';
    this.code = code;
    this.status = options.status;
    this.retryable = options.retryable;
  }
}

/** Which rule an id_token broke; `access_token`: the access token names another issuer or user, or is badly signed. */
export type IdTokenCheck =
  | 'missing'
  | 'format'
  | 'crit'
  | 'sub'
  | 'aud'
  | 'azp'
  | 'exp'
  | 'iat'
  | 'nbf'
  | 'iss'
  | 'nonce'
  | 'signature'
  | 'access_token';

/**
 * The id_token in JustLogin's token response failed validation; `check` says
 * which rule. `reauthenticate` is true when it came from a refresh: the
 * renewed tokens cannot be trusted, so the user must sign in again.
 */
export class IdTokenError extends Error implements JustLoginErrorFields {
  /** Always `invalid_id_token`. */
  readonly code = 'invalid_id_token';
  /** Which rule the id_token broke. */
  readonly check: IdTokenCheck;
  /** Always false: the same id_token fails the same way. */
  readonly retryable = false;
  /** True when the id_token came from a refresh. */
  readonly reauthenticate: boolean;

  constructor(message: string, check: IdTokenCheck, options: { reauthenticate?: boolean } = {}) {
    super(message);
    this.name = 'IdTokenError';
    this.check = check;
    this.reauthenticate = options.reauthenticate ?? false;
  }
}

/**
 * A refresh was needed but the token set has no refresh token, so no request
 * was made. The user must sign in again.
 */
export class NoRefreshTokenError extends Error implements JustLoginErrorFields {
  /** Always `no_refresh_token`. */
  readonly code = 'no_refresh_token';
  /** Always false. */
  readonly retryable = false;
  /** Always true: only a new sign-in brings a refresh token. */
  readonly reauthenticate = true;

  constructor() {
    super('The JustLogin tokens have no refresh token; the user must sign in again');
    this.name = 'NoRefreshTokenError';
  }
}

/**
 * A component of this package was given options (or arguments) it cannot use.
 * A `TypeError`; `problems` lists each problem, naming its option in
 * backticks, and the message lists them all.
 */
export class JustLoginOptionsError extends TypeError implements JustLoginErrorFields {
  /** Always `EBADOPTIONS`. */
  readonly code = 'EBADOPTIONS';
  /** Always false: the options must change. */
  readonly retryable = false;
  /** Always false. */
  readonly reauthenticate = false;
  /** Each problem, e.g. "`clientId` is not an option; did you mean `clientID`?". */
  readonly problems: readonly string[];

  constructor(component: string, problems: readonly string[]) {
    super(
      problems.length === 1
        ? `passport-justlogin: ${problems[0]} (${component})`
        : `passport-justlogin: ${component} options are invalid:\n${problems.map((problem) => `- ${problem}`).join('\n')}`,
    );
    this.name = 'JustLoginOptionsError';
    this.problems = [...problems];
  }
}

/**
 * A call to JustLogin's API failed. `status` is the HTTP status when JustLogin
 * answered (`code` `EHTTPSTATUS`), otherwise `code` is that of the failure:
 * the transport's (`ETIMEDOUT`, `ECONNREFUSED`, `ETOOLARGE`, …), `EBADRESPONSE`
 * for an answer that is not what the endpoint sends, or the refused renewal's
 * (`invalid_grant`, `no_refresh_token`, …) with `reauthenticate: true`: the
 * user must sign in again. `retryAfter` is JustLogin's `Retry-After`, in
 * seconds, when it gave one. Never holds a response body or a token.
 */
export class JustLoginApiError extends Error implements JustLoginErrorFields {
  /** `EHTTPSTATUS`, or the code of the failure (see above). */
  readonly code: string;
  /** HTTP status, when JustLogin answered at all. */
  readonly status?: number;
  /** True when the same call may succeed later. */
  readonly retryable: boolean;
  /** True when the user must sign in with JustLogin again. */
  readonly reauthenticate: boolean;
  /** Seconds JustLogin asked to wait before calling again (`Retry-After`). */
  readonly retryAfter?: number;

  constructor(
    message: string,
    code: string,
    options: { status?: number; retryable: boolean; reauthenticate?: boolean; retryAfter?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JustLoginApiError';
    this.code = code;
    this.status = options.status;
    this.retryable = options.retryable;
    this.reauthenticate = options.reauthenticate ?? false;
    this.retryAfter = options.retryAfter;
  }
}

/** Any error this package throws or passes to a callback. */
export type JustLoginError =
  | JustLoginTokenError
  | JustLoginRequestError
  | IdTokenError
  | NoRefreshTokenError
  | JustLoginOptionsError
  | JustLoginApiError;

/**
 * True when `error` comes from this package, so it has `code`, `retryable`
 * and `reauthenticate`.
 *
 * @example
 * if (isJustLoginError(err) && err.reauthenticate) return res.redirect('/login');
 */
export function isJustLoginError(error: unknown): error is JustLoginError {
  return (
    error instanceof JustLoginTokenError ||
    error instanceof JustLoginRequestError ||
    error instanceof IdTokenError ||
    error instanceof NoRefreshTokenError ||
    error instanceof JustLoginOptionsError ||
    error instanceof JustLoginApiError
  );
}
