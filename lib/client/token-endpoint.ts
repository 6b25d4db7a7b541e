import { place, trace, type JustLoginTokenTrace } from '../diagnostics';
import { JustLoginRequestError, JustLoginTokenError } from '../errors';
import { oauthError } from '../oauth-error';
import { toTokenSet } from '../token-set';
import { MAX_RESPONSE_BYTES, type Transport } from './transport';

/** Request parameters whose values are secrets, redacted from anything JustLogin echoes. */
const SECRET_PARAMS = ['code', 'code_verifier', 'refresh_token'];

/** RFC 6749 Appendix A: tokens are one or more VSCHAR (%x20-7E). */
const VSCHARS = /^[\x20-\x7e]+$/;

/** A successful token-endpoint answer, as JSON. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number | string;
  scope?: string;
  [extra: string]: unknown;
}

/** The client's settings the token endpoint needs, read and checked by the client. */
export interface TokenEndpointOptions {
  clientID: string;
  clientSecret: string;
  tokenURL: string;
  /** Milliseconds before an unanswered request fails with `ETIMEDOUT`. */
  timeout: number;
  /** Sends the requests. */
  transport: Transport;
}

/**
 * The one client of JustLogin's token endpoint: a form POST with the client
 * credentials in the body (never HTTP Basic), a hard timeout, a size limit, no
 * redirects, and errors mapped to {@link JustLoginTokenError} or
 * {@link JustLoginRequestError}. Messages never contain a secret or a token.
 */
export class TokenEndpoint {
  readonly clientID: string;
  readonly tokenURL: string;
  readonly timeout: number;
  readonly #clientSecret: string;
  readonly #url: URL;
  readonly #transport: Transport;

  constructor(options: TokenEndpointOptions) {
    this.clientID = options.clientID;
    this.#clientSecret = options.clientSecret;
    this.tokenURL = options.tokenURL;
    this.#url = new URL(options.tokenURL);
    this.timeout = options.timeout;
    this.#transport = options.transport;
  }

  /**
   * POSTs `params` plus `client_id` and `client_secret`; sends
   * `Authorization: Bearer <bearer>` when `bearer` is given. A bearer with a
   * character outside %x20-7E is not sent: the promise rejects with `EBADREQUEST`.
   * Traced on `passport-justlogin:token`.
   */
  request(params: Record<string, string>, bearer?: string): Promise<TokenResponse> {
    return trace(
      'token',
      () => ({ grantType: params.grant_type, ...place(this.#url) }),
      (context) => this.#request(params, bearer, context),
      (response, context) => {
        context.expiresIn = toTokenSet('', undefined, { expires_in: response.expires_in }).expiresIn;
      },
    );
  }

  async #request(
    params: Record<string, string>,
    bearer?: string,
    context?: JustLoginTokenTrace,
  ): Promise<TokenResponse> {
    const form = new URLSearchParams(params);
    form.set('client_id', this.clientID);
    form.set('client_secret', this.#clientSecret);
    const body = form.toString();
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    if (bearer) {
      if (!VSCHARS.test(bearer)) {
        throw new JustLoginRequestError(
          "The access token holds a character outside %x20-7E (RFC 6749 Appendix A); it was not sent to JustLogin's token endpoint",
          'EBADREQUEST',
          { retryable: false },
        );
      }
      headers.Authorization = `Bearer ${bearer}`;
    }
    const secrets = [this.#clientSecret, bearer, ...SECRET_PARAMS.map((name) => params[name])];
    const { status, text } = await this.#transport.send({
      endpoint: 'token endpoint',
      method: 'POST',
      url: this.#url,
      headers,
      body,
      timeout: this.timeout,
      maxBytes: MAX_RESPONSE_BYTES,
    });
    if (context) context.status = status;
    return parseTokenResponse(status, text, secrets);
  }
}

/** Turns a token-endpoint answer into a {@link TokenResponse} or the matching error. */
export function parseTokenResponse(
  status: number,
  text: string,
  secrets: readonly (string | undefined)[] = [],
): TokenResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const body = isObject(json) ? json : undefined;
  if (status < 200 || status >= 300) {
    const refused = body && oauthError(body, secrets);
    if (refused) {
      const { code, description, uri } = refused;
      const message = `JustLogin refused the token request: ${code}${description ? ` (${description})` : ''}`;
      const error = new JustLoginTokenError(message, code, status, uri);
      throw error.retryable
        ? new JustLoginTokenError(`${message}; the request may be retried`, code, status, uri)
        : error;
    }
    throw new JustLoginRequestError(
      `JustLogin's token endpoint answered HTTP ${status} without an OAuth error${status >= 500 ? '; the request may be retried' : ''}`,
      'EHTTPSTATUS',
      { status, retryable: status >= 500 || status === 429 },
    );
  }
  if (!body) {
    throw new JustLoginRequestError(
      `JustLogin's token endpoint answered HTTP ${status} with a body that is not a JSON object; the request may be retried`,
      'EBADRESPONSE',
      { status, retryable: true },
    );
  }
  if (typeof body.access_token !== 'string' || !body.access_token) {
    throw badResponse('has no access_token', status);
  }
  if (typeof body.token_type !== 'string' || body.token_type.toLowerCase() !== 'bearer') {
    throw badResponse('has a token_type other than Bearer', status);
  }
  for (const field of ['refresh_token', 'id_token', 'scope'] as const) {
    if (body[field] !== undefined && typeof body[field] !== 'string') {
      throw badResponse(`has a ${field} that is not a string`, status);
    }
  }
  for (const field of ['access_token', 'refresh_token', 'id_token'] as const) {
    const value = body[field];
    if (typeof value === 'string' && value !== '' && !VSCHARS.test(value)) {
      throw badResponse(`has a character outside %x20-7E in ${field} (RFC 6749 Appendix A)`, status);
    }
  }
  return body as TokenResponse;
}

function badResponse(what: string, status: number): JustLoginRequestError {
  return new JustLoginRequestError(`JustLogin's token response ${what}`, 'EBADRESPONSE', {
    status,
    retryable: false,
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
