import { TokenError } from 'passport-oauth2';

/**
 * JustLogin's token endpoint answered with an OAuth 2.0 error (RFC 6749 §5.2).
 * `code` is the OAuth error (`invalid_grant`, `invalid_client`, …) and `status`
 * the HTTP status. `invalid_grant` on a refresh means the user must sign in again.
 */
export class JustLoginTokenError extends TokenError {
  /** True when the same request may succeed later (`5xx`, `temporarily_unavailable`). */
  readonly retryable: boolean;

  constructor(message: string, code: string, status: number, uri?: string) {
    super(message, code, uri, status);
    this.name = 'JustLoginTokenError';
    this.retryable = status >= 500 || code === 'temporarily_unavailable';
  }
}

/**
 * A request to JustLogin (its token endpoint or its JWKS) did not produce a
 * usable answer: a timeout for the whole exchange (`ETIMEDOUT`), a refused or
 * reset connection (`ECONNREFUSED`, `ECONNRESET`, …), an HTTP error without an
 * OAuth error body (`EHTTPSTATUS`), a redirect (`EREDIRECT`), a body over 1 MiB
 * (`ETOOLARGE`), a body that is not a valid answer (`EBADRESPONSE`), or a
 * request that could not be sent as given, such as a stored access token with
 * a character outside %x20-7E (`EBADREQUEST`).
 */
export class JustLoginRequestError extends Error {
  readonly code: string;
  /** HTTP status, when JustLogin answered at all. */
  readonly status?: number;
  /** True when the same request may succeed later. */
  readonly retryable: boolean;

  constructor(message: string, code: string, options: { status?: number; retryable: boolean }) {
    super(message);
    this.name = 'JustLoginRequestError';
    this.code = code;
    this.status = options.status;
    this.retryable = options.retryable;
  }
}

/** Which rule an id_token broke. */
export type IdTokenCheck =
  'missing' | 'format' | 'crit' | 'sub' | 'aud' | 'azp' | 'exp' | 'iat' | 'nbf' | 'iss' | 'nonce' | 'signature';

/** The id_token in JustLogin's token response failed validation; `check` says which rule. */
export class IdTokenError extends Error {
  readonly code = 'invalid_id_token';
  readonly check: IdTokenCheck;

  constructor(message: string, check: IdTokenCheck) {
    super(message);
    this.name = 'IdTokenError';
    this.check = check;
  }
}

/**
 * A refresh was needed but the token set has no refresh token, so no request
 * was made. The user must sign in again.
 */
export class NoRefreshTokenError extends Error {
  readonly code = 'no_refresh_token';
  readonly retryable = false;

  constructor() {
    super('The JustLogin tokens have no refresh token; the user must sign in again');
    this.name = 'NoRefreshTokenError';
  }
}
