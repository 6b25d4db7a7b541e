import { place, trace, type JustLoginFetchTrace } from '../diagnostics';
import { JustLoginOptionsError, JustLoginRequestError, JustLoginTokenError } from '../errors';
import { oauthError } from '../oauth-error';
import { readOptions, rules, type OptionSpec } from './options';
import { MAX_RESPONSE_BYTES, type Transport } from './transport';

/**
 * Options of {@link JustLoginClient.revoke}.
 *
 * @group Sign-out
 */
export interface RevokeOptions {
  /** RFC 7009's `token_type_hint`: `'refresh_token'` or `'access_token'`, what `token` is. */
  tokenTypeHint?: 'refresh_token' | 'access_token' | (string & {});
}

/** The client's settings a revocation needs. */
export interface RevocationEndpoint {
  url: string;
  clientID: string;
  clientSecret: string;
  /** Milliseconds before an unanswered request fails with `ETIMEDOUT`. */
  timeout: number;
  transport: Transport;
}

const OPTIONS = { tokenTypeHint: { rule: rules.nonEmptyString } } satisfies Record<keyof RevokeOptions, OptionSpec>;

/**
 * Revokes `token` (RFC 7009 §2.1): a form POST of `token`, `token_type_hint`
 * when given, and the client credentials in the body, as every token request.
 * Resolves on any 2xx (RFC 7009 answers 200 for a token already invalid too).
 * Rejects with a {@link JustLoginTokenError} carrying JustLogin's OAuth error
 * (e.g. `unsupported_token_type` on a 400), or a {@link JustLoginRequestError}
 * (`EHTTPSTATUS` without one, or the transport's codes); messages never hold
 * the token or the secret. The request is traced on `passport-justlogin:revocation`.
 */
export async function revokeToken(endpoint: RevocationEndpoint, token: unknown, options: RevokeOptions): Promise<void> {
  if (typeof token !== 'string' || token === '') {
    throw new JustLoginOptionsError('JustLoginClient.revoke', ['`token` must be a non-empty string']);
  }
  const { tokenTypeHint } = readOptions<RevokeOptions>('JustLoginClient.revoke', options, OPTIONS);
  const form = new URLSearchParams({ token });
  if (tokenTypeHint !== undefined) form.set('token_type_hint', tokenTypeHint);
  form.set('client_id', endpoint.clientID);
  form.set('client_secret', endpoint.clientSecret);
  const url = new URL(endpoint.url);
  return trace(
    'revocation',
    () => place(url),
    (context) => send(endpoint, url, form, token, context),
  );
}

/** POSTs the revocation's `form` to `url`; resolves on any 2xx. */
async function send(
  endpoint: RevocationEndpoint,
  url: URL,
  form: URLSearchParams,
  token: string,
  context: JustLoginFetchTrace | undefined,
): Promise<void> {
  const { status, text } = await endpoint.transport.send({
    endpoint: 'revocation endpoint',
    method: 'POST',
    url,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: form.toString(),
    timeout: endpoint.timeout,
    maxBytes: MAX_RESPONSE_BYTES,
  });
  if (context) context.status = status;
  if (status >= 200 && status < 300) return;
  const refused = oauthError(jsonObject(text) ?? {}, [endpoint.clientSecret, token]);
  if (refused) {
    const { code, description, uri } = refused;
    const message = `JustLogin refused the revocation: ${code}${description ? ` (${description})` : ''}`;
    const error = new JustLoginTokenError(message, code, status, uri);
    throw error.retryable
      ? new JustLoginTokenError(`${message}; the request may be retried`, code, status, uri)
      : error;
  }
  throw new JustLoginRequestError(
    `JustLogin's revocation endpoint answered HTTP ${status} without an OAuth error${status >= 500 ? '; the request may be retried' : ''}`,
    'EHTTPSTATUS',
    { status, retryable: status >= 500 || status === 429 },
  );
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
