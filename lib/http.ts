import * as http from 'node:http';
import * as https from 'node:https';
import { JustLoginRequestError, JustLoginTokenError } from './errors';

/** Largest token-endpoint body read; anything longer is refused. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** The longest error description from JustLogin kept in an error message. */
const MAX_DESCRIPTION_LENGTH = 300;

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

export interface TokenEndpointOptions {
  clientID: string;
  clientSecret: string;
  tokenURL: string;
  /** Milliseconds before an unanswered request fails with `ETIMEDOUT`; default 10000. */
  timeout?: number;
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
  /** Parsed once: the request options for every POST. */
  readonly #target: { transport: typeof http | typeof https; options: http.RequestOptions };

  /** Throws a `TypeError` naming `clientID`, `clientSecret` or `timeout` when it is missing or invalid. */
  constructor(options: TokenEndpointOptions) {
    for (const name of ['clientID', 'clientSecret'] as const) {
      if (typeof options[name] !== 'string' || options[name] === '') {
        throw new TypeError(`passport-justlogin: \`${name}\` is required`);
      }
    }
    const timeout = options.timeout ?? 10_000;
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
      throw new TypeError('passport-justlogin: `timeout` must be a positive number of milliseconds');
    }
    this.clientID = options.clientID;
    this.#clientSecret = options.clientSecret;
    this.tokenURL = options.tokenURL;
    const url = new URL(options.tokenURL);
    this.#target = {
      transport: url.protocol === 'https:' ? https : http,
      options: {
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port,
        path: url.pathname + url.search,
      },
    };
    this.timeout = timeout;
  }

  /**
   * POSTs `params` plus `client_id` and `client_secret`; sends
   * `Authorization: Bearer <bearer>` when `bearer` is given.
   */
  request(params: Record<string, string>, bearer?: string): Promise<TokenResponse> {
    const form = new URLSearchParams(params);
    form.set('client_id', this.clientID);
    form.set('client_secret', this.#clientSecret);
    const body = form.toString();
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'application/x-www-form-urlencoded',
      'Content-Length': Buffer.byteLength(body),
      Accept: 'application/json',
    };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    const secrets = [this.#clientSecret, bearer, ...Object.values(params)].filter(
      (value): value is string => typeof value === 'string' && value.length >= 8,
    );
    return this.#post(body, headers).then(({ status, text }) => parseTokenResponse(status, text, secrets));
  }

  #post(body: string, headers: http.OutgoingHttpHeaders): Promise<{ status: number; text: string }> {
    const { transport, options } = this.#target;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: JustLoginRequestError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        reject(error);
      };
      const timer = setTimeout(
        () =>
          fail(
            new JustLoginRequestError(
              `JustLogin's token endpoint did not answer within ${this.timeout} ms; the request may be retried`,
              'ETIMEDOUT',
              { retryable: true },
            ),
          ),
        this.timeout,
      );
      const request = transport.request({ ...options, headers }, (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          fail(
            new JustLoginRequestError(
              `JustLogin's token endpoint answered with a redirect (HTTP ${status}); token responses are never redirected`,
              'EREDIRECT',
              { status, retryable: false },
            ),
          );
          return;
        }
        const tooLarge = () =>
          new JustLoginRequestError(
            `JustLogin's token endpoint sent more than ${MAX_RESPONSE_BYTES} bytes`,
            'ETOOLARGE',
            { status, retryable: false },
          );
        if (Number(response.headers['content-length']) > MAX_RESPONSE_BYTES) {
          fail(tooLarge());
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) fail(tooLarge());
          else chunks.push(chunk);
        });
        response.on('error', () => fail(connectionError('ECONNRESET')));
        response.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      request.on('error', (error: NodeJS.ErrnoException) => fail(connectionError(error.code)));
      request.end(body);
    });
  }
}

function connectionError(code = 'ECONNRESET'): JustLoginRequestError {
  return new JustLoginRequestError(
    `Could not reach JustLogin's token endpoint (${code}); the request may be retried`,
    code,
    { retryable: true },
  );
}

/** Turns a token-endpoint answer into a {@link TokenResponse} or the matching error. */
export function parseTokenResponse(status: number, text: string, secrets: string[] = []): TokenResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const body = isObject(json) ? json : undefined;
  if (status < 200 || status >= 300) {
    if (body && typeof body.error === 'string' && body.error) {
      const code = clean(body.error, secrets).slice(0, 64);
      const description = typeof body.error_description === 'string' ? clean(body.error_description, secrets) : '';
      const uri = typeof body.error_uri === 'string' ? clean(body.error_uri, secrets) : undefined;
      const error = new JustLoginTokenError(
        `JustLogin refused the token request: ${code}${description ? ` (${description})` : ''}`,
        code,
        status,
        uri,
      );
      if (error.retryable) error.message += '; the request may be retried';
      throw error;
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

/** Removes known secrets and control characters from text that came from JustLogin, and caps it. */
function clean(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  // eslint-disable-next-line no-control-regex
  out = out.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return out.length > MAX_DESCRIPTION_LENGTH ? `${out.slice(0, MAX_DESCRIPTION_LENGTH)}…` : out;
}
