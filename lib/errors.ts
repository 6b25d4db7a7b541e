import { withTroubleshootingLink } from './troubleshooting';

/**
 * What went wrong, as an error's `code`. Two kinds, told apart by their style:
 *
 * OAuth 2.0 errors, exactly as JustLogin sent them (RFC 6749 §4.1.2.1 and §5.2,
 * RFC 6750, OpenID Connect Core §3.1.2.6), on a {@link JustLoginTokenError} or a
 * {@link JustLoginAuthorizationError}, or on a {@link JustLoginApiError} whose renewal
 * failed: `invalid_request`, `invalid_client`, `invalid_grant` (the code or refresh token
 * is spent, expired or revoked), `unauthorized_client`, `unsupported_grant_type`,
 * `invalid_scope`, `invalid_token`, `unsupported_response_type`, `server_error`,
 * `temporarily_unavailable`, `interaction_required`, `login_required`,
 * `consent_required`, `account_selection_required`, or any other code JustLogin
 * sends (always in RFC 6749's character set).
 *
 * The package's own, in Node's style:
 *
 * | code              | what happened                                                                      |
 * | ----------------- | ---------------------------------------------------------------------------------- |
 * | `EBADOPTIONS`     | options or arguments the package cannot use ({@link JustLoginOptionsError})        |
 * | `ETIMEDOUT`       | JustLogin (or another instance's renewal) did not answer in time                   |
 * | `ECONNREFUSED`, … | the connection failed: one of Node's connection error codes (`ECONNRESET`, …)      |
 * | `EFETCH`          | the `fetch` you gave rejected without a connection error code                      |
 * | `EHTTPSTATUS`     | an HTTP error status without an OAuth error (`status` says which)                  |
 * | `EREDIRECT`       | a redirect, which is never followed                                                |
 * | `ETOOLARGE`       | an answer over the size limit                                                      |
 * | `EBADRESPONSE`    | an answer that is not what the endpoint sends                                      |
 * | `EBADREQUEST`     | a request that could not be sent as given; nothing was sent                        |
 * | `EDECRYPT`        | tokens renewed by another instance cannot be decrypted (a different `secret`)      |
 * | `EBADIDTOKEN`     | the id_token (or the access token beside it) failed a check ({@link IdTokenError}) |
 * | `ENOREFRESHTOKEN` | a renewal was due, with no refresh token ({@link NoRefreshTokenError})             |
 * | `ENOTOKENS`       | the request has no JustLogin tokens (`JustLoginApi.perRequest`)                    |
 * | `EUNSUPPORTED`    | JustLogin's discovery document advertises no endpoint for what was asked           |
 * | `ELOGOUT…`        | a back-channel logout token was refused: {@link LogoutTokenErrorCode} says why     |
 *
 * `(string & {})` keeps the list for autocompletion while any other OAuth code
 * or connection code may still come.
 *
 * @group Errors
 */
export type JustLoginErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_token'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'interaction_required'
  | 'login_required'
  | 'consent_required'
  | 'account_selection_required'
  | 'EBADOPTIONS'
  | 'ETIMEDOUT'
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ENOTFOUND'
  | 'EFETCH'
  | 'EHTTPSTATUS'
  | 'EREDIRECT'
  | 'ETOOLARGE'
  | 'EBADRESPONSE'
  | 'EBADREQUEST'
  | 'EDECRYPT'
  | 'EBADIDTOKEN'
  | 'ENOREFRESHTOKEN'
  | 'ENOTOKENS'
  | 'EUNSUPPORTED'
  | LogoutTokenErrorCode
  | (string & {});

/**
 * The base class of every error this package throws, rejects with or passes
 * to Passport: `code` says what went wrong ({@link JustLoginErrorCode}),
 * `retryable` whether the same call may succeed later, and `reauthenticate`
 * whether the user must sign in with JustLogin again (the refresh token was
 * refused or is missing, or a renewed id_token failed its checks). Messages
 * never hold a secret, a token or a response body, and end with a link to the
 * code's entry in the troubleshooting guide (`… (see https://github.com/…/troubleshooting.md#etimedout)`).
 *
 * @example
 * if (err instanceof JustLoginError && err.reauthenticate) return res.redirect('/auth/justlogin');
 *
 * @group Errors
 */
export class JustLoginError extends Error {
  /** What went wrong, e.g. `invalid_grant` or `ETIMEDOUT`. */
  readonly code: JustLoginErrorCode;
  /** Whether the same call may succeed later. */
  readonly retryable: boolean;
  /** Whether the user must sign in with JustLogin again. */
  readonly reauthenticate: boolean;

  constructor(
    message: string,
    code: JustLoginErrorCode,
    options: { retryable?: boolean; reauthenticate?: boolean; cause?: unknown } = {},
  ) {
    super(withTroubleshootingLink(message, code), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JustLoginError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.reauthenticate = options.reauthenticate ?? false;
  }
}

/**
 * JustLogin's token endpoint answered with an OAuth 2.0 error (RFC 6749 §5.2).
 * `code` is the OAuth error (`invalid_grant`, `invalid_client`, …) and `status`
 * the HTTP status. `invalid_grant` on a refresh means the user must sign in again, as
 * does `invalid_token`: JustLogin's refresh request carries the access token, and it was refused.
 *
 * @group Errors
 */
export class JustLoginTokenError extends JustLoginError {
  /** The HTTP status of JustLogin's answer. */
  readonly status: number;
  /** JustLogin's `error_uri`, when it is an https URL. */
  readonly uri?: string;

  constructor(message: string, code: JustLoginErrorCode, status: number, uri?: string) {
    super(message, code, {
      retryable: status >= 500 || code === 'temporarily_unavailable',
      reauthenticate: code === 'invalid_grant' || code === 'invalid_token',
    });
    this.name = 'JustLoginTokenError';
    this.status = status;
    this.uri = uri;
  }
}

/**
 * JustLogin answered the authorization request with an OAuth 2.0 error on the
 * callback (RFC 6749 §4.1.2.1), one other than `access_denied` (the user said
 * No, which fails the sign-in instead). `code` is the OAuth error; the
 * message is JustLogin's description. `retryable` for `server_error` and
 * `temporarily_unavailable`: a new sign-in may succeed.
 *
 * @group Errors
 */
export class JustLoginAuthorizationError extends JustLoginError {
  /** JustLogin's `error_uri`, when it is an https URL. */
  readonly uri?: string;

  constructor(message: string, code: JustLoginErrorCode, uri?: string) {
    super(message, code, { retryable: code === 'server_error' || code === 'temporarily_unavailable' });
    this.name = 'JustLoginAuthorizationError';
    this.uri = uri;
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
 * instances were given different secrets (`EDECRYPT`). `reauthenticate` is
 * always false: the request may be tried again, the sign-in stands.
 *
 * @group Errors
 */
export class JustLoginRequestError extends JustLoginError {
  /** HTTP status, when JustLogin answered at all. */
  readonly status?: number;

  constructor(message: string, code: JustLoginErrorCode, options: { status?: number; retryable: boolean }) {
    super(message, code, { retryable: options.retryable });
    this.name = 'JustLoginRequestError';
    this.status = options.status;
  }
}

/**
 * Which rule an id_token broke; `access_token`: the access token names another issuer or user, or is badly signed.
 *
 * @group Errors
 */
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
 * which rule. `code` is always `EBADIDTOKEN`; never `retryable` (the same
 * id_token fails the same way). `reauthenticate` is true when it came from a
 * refresh: the renewed tokens cannot be trusted, so the user must sign in again.
 *
 * @group Errors
 */
export class IdTokenError extends JustLoginError {
  declare readonly code: 'EBADIDTOKEN';
  /** Which rule the id_token broke. */
  readonly check: IdTokenCheck;

  constructor(message: string, check: IdTokenCheck, options: { reauthenticate?: boolean } = {}) {
    super(message, 'EBADIDTOKEN', { reauthenticate: options.reauthenticate ?? false });
    this.name = 'IdTokenError';
    this.check = check;
  }
}

/**
 * Why a back-channel logout token (OpenID Connect Back-Channel Logout 1.0 §2.6) was refused:
 *
 * | code               | the logout token                                                                    |
 * | ------------------ | ----------------------------------------------------------------------------------- |
 * | `ELOGOUTFORMAT`    | is not a compact JWS of at most 16 KiB, or its header lists `crit` extensions       |
 * | `ELOGOUTTYPE`      | has a `typ` other than `JWT` or `logout+jwt` (e.g. `at+jwt`)                        |
 * | `ELOGOUTSIGNATURE` | is not signed by one of JustLogin's keys with an asymmetric algorithm               |
 * | `ELOGOUTISSUER`    | names another issuer (`iss`)                                                        |
 * | `ELOGOUTAUDIENCE`  | is not for this client (`aud`)                                                      |
 * | `ELOGOUTIAT`       | has no issue time (`iat`), or one in the future                                     |
 * | `ELOGOUTEXPIRED`   | was issued more than 5 minutes ago, or its `exp` has passed                         |
 * | `ELOGOUTJTI`       | has no `jti`                                                                        |
 * | `ELOGOUTREPLAY`    | has a `jti` already accepted: a replay                                              |
 * | `ELOGOUTEVENTS`    | has no `events` claim holding `http://schemas.openid.net/event/backchannel-logout` |
 * | `ELOGOUTNONCE`     | has a `nonce`: it is an id_token, not a logout token                                |
 * | `ELOGOUTSUBJECT`   | names neither a session (`sid`) nor a user (`sub`)                                  |
 *
 * @group Errors
 */
export type LogoutTokenErrorCode =
  | 'ELOGOUTFORMAT'
  | 'ELOGOUTTYPE'
  | 'ELOGOUTSIGNATURE'
  | 'ELOGOUTISSUER'
  | 'ELOGOUTAUDIENCE'
  | 'ELOGOUTIAT'
  | 'ELOGOUTEXPIRED'
  | 'ELOGOUTJTI'
  | 'ELOGOUTREPLAY'
  | 'ELOGOUTEVENTS'
  | 'ELOGOUTNONCE'
  | 'ELOGOUTSUBJECT';

/**
 * `client.verifyLogoutToken` refused a back-channel logout token; `code` says
 * why ({@link LogoutTokenErrorCode}). Never `retryable` (the same token fails
 * the same way), never `reauthenticate`; the message never quotes the token.
 *
 * @group Errors
 */
export class LogoutTokenError extends JustLoginError {
  declare readonly code: LogoutTokenErrorCode;

  constructor(message: string, code: LogoutTokenErrorCode) {
    super(message, code);
    this.name = 'LogoutTokenError';
  }
}

/**
 * A refresh was needed but the token set has no refresh token, so no request
 * was made. `code` is always `ENOREFRESHTOKEN`; `reauthenticate` always true:
 * only a new sign-in brings a refresh token.
 *
 * @group Errors
 */
export class NoRefreshTokenError extends JustLoginError {
  declare readonly code: 'ENOREFRESHTOKEN';

  constructor() {
    super('The JustLogin tokens have no refresh token; the user must sign in again', 'ENOREFRESHTOKEN', {
      reauthenticate: true,
    });
    this.name = 'NoRefreshTokenError';
  }
}

/**
 * A component of this package was given options (or arguments) it cannot use.
 * `code` is always `EBADOPTIONS`; `problems` lists each problem, naming its
 * option in backticks, and the message lists them all.
 *
 * @group Errors
 */
export class JustLoginOptionsError extends JustLoginError {
  declare readonly code: 'EBADOPTIONS';
  /** Each problem, e.g. "`clientId` is not an option; did you mean `clientID`?". */
  readonly problems: readonly string[];

  constructor(component: string, problems: readonly string[]) {
    super(
      problems.length === 1
        ? `passport-justlogin: ${problems[0]} (${component})`
        : `passport-justlogin: ${component} options are invalid:\n${problems.map((problem) => `- ${problem}`).join('\n')}`,
      'EBADOPTIONS',
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
 * (`invalid_grant`, `ENOREFRESHTOKEN`, …) with `reauthenticate: true`: the
 * user must sign in again. `retryAfter` is JustLogin's `Retry-After`, in
 * seconds, when it gave one. Never holds a response body or a token.
 *
 * @group Errors
 */
export class JustLoginApiError extends JustLoginError {
  /** HTTP status, when JustLogin answered at all. */
  readonly status?: number;
  /** Seconds JustLogin asked to wait before calling again (`Retry-After`). */
  readonly retryAfter?: number;

  constructor(
    message: string,
    code: JustLoginErrorCode,
    options: { status?: number; retryable: boolean; reauthenticate?: boolean; retryAfter?: number; cause?: unknown },
  ) {
    super(message, code, options);
    this.name = 'JustLoginApiError';
    this.status = options.status;
    this.retryAfter = options.retryAfter;
  }
}

/**
 * What the strategy passes to Passport's failure path as `info` when it
 * refuses a sign-in without an error (with `failureMessage: true` the message
 * lands in `req.session.messages`; a custom callback gets the object). Info
 * given by your verify callback reaches Passport as you gave it.
 *
 * | code            | status | what happened                                                                     |
 * | --------------- | ------ | --------------------------------------------------------------------------------- |
 * | `access_denied` | 401    | the user said No on JustLogin's consent page (OAuth's code, as JustLogin sent it) |
 * | `EBADSTATE`     | 403    | the callback's `state` is missing, not the one sent, expired or already used      |
 * | `EBADCALLBACK`  | 400    | a malformed callback: no code, a parameter given twice, an invalid error code     |
 * | `EBADISSUER`    | 403    | the callback's `iss` is not the configured `issuer` (RFC 9207)                    |
 * | `EBADHOST`      | 400    | the request's Host header makes no callback URL of a relative `callbackURL`       |
 *
 * @group Errors
 */
export interface JustLoginFailure {
  /** Says what happened, in English; never text from the request. */
  message: string;
  /** What happened, for the app to branch on. */
  code: 'access_denied' | 'EBADSTATE' | 'EBADCALLBACK' | 'EBADISSUER' | 'EBADHOST';
}
