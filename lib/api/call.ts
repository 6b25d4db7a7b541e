// One call to JustLogin's API: the Bearer header, a deadline for the whole call, one renewal and
// one retry after a 401, and retries of a GET that met a busy or unreachable server.
import { pathTemplate, trace, type JustLoginApiTrace } from '../diagnostics';
import { JustLoginApiError, JustLoginRequestError } from '../errors';
import type { Transport, TransportResponse } from '../client/transport';
import type { BearerTokens } from './bearer';
import { isRetryStatus, retryAfterMs, retryClock, retryDelay } from './retry';

/** The largest body read from JustLogin's API (a page of 100 employees with everything included is ~200 KB). */
const MAX_API_RESPONSE_BYTES = 4 * 1024 * 1024;

/** One call, its parameters checked. */
export interface ApiCall {
  /** Names the call in error messages (`employees.get`); never a parameter. */
  what: string;
  method: 'GET' | 'POST';
  /** The path under the base URL, checked (no dot segments, nothing encoded). */
  path: string;
  /** The query string, encoded, without `?`. */
  query?: string;
  /** A JSON body (POST). */
  body?: string;
}

/** A successful answer: its status, headers and parsed JSON body (`undefined` when empty). */
export interface ApiAnswer {
  status: number;
  headers: TransportResponse['headers'];
  data: unknown;
}

/** Where and how calls go: the client's base URL, transport and timeout. */
export interface ApiTarget {
  baseURL: string;
  transport: Transport;
  /** Milliseconds for a whole call, retries and their waits included. */
  timeout: number;
}

/**
 * Makes `call` with the tokens of `bearer`. GET is tried again at most twice
 * after 429, 502, 503, 504 or a connection that failed, after `Retry-After`
 * (at most 10 s) plus a jittered backoff, while the deadline allows; nothing
 * else is. A 401 renews the tokens once and, when that gave another access
 * token, makes the call once more. Every failure rejects with a
 * {@link JustLoginApiError} holding no body and no token (or with the error of
 * the app's `onTokens`). Traced on `passport-justlogin:api`.
 */
export function callApi(target: ApiTarget, bearer: BearerTokens, call: ApiCall): Promise<ApiAnswer> {
  return trace(
    'api',
    () => ({ method: call.method, path: pathTemplate(call.path), attempt: 0, renewed: false }),
    (context) => send(target, bearer, call, context),
  );
}

async function send(
  target: ApiTarget,
  bearer: BearerTokens,
  call: ApiCall,
  context: JustLoginApiTrace | undefined,
): Promise<ApiAnswer> {
  const url = new URL(target.baseURL + call.path + (call.query ? `?${call.query}` : ''));
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (call.body !== undefined) headers['Content-Type'] = 'application/json';
  const before = bearer.current;
  let tokens = await bearer.fresh();
  if (context) context.renewed = tokens !== before;
  // From here: a renewal that was due has its own deadline (the token endpoint's).
  const deadline = retryClock.now() + target.timeout;
  let renewed = false;
  let retries = 0;
  for (;;) {
    const remaining = deadline - retryClock.now();
    if (remaining <= 0) throw timedOut(call.what, target.timeout);
    let response: TransportResponse;
    if (context) context.attempt += 1;
    try {
      response = await target.transport.send({
        endpoint: `API (${call.what})`,
        method: call.method,
        url,
        headers: { ...headers, Authorization: `Bearer ${tokens.accessToken}` },
        body: call.body,
        timeout: remaining,
        maxBytes: MAX_API_RESPONSE_BYTES,
      });
    } catch (error) {
      const failure = error instanceof JustLoginRequestError ? error : undefined;
      const delay = call.method === 'GET' && failure?.retryable ? retryDelay(retries, undefined) : undefined;
      if (delay !== undefined && delay < deadline - retryClock.now()) {
        await retryClock.sleep(delay);
        retries += 1;
        continue;
      }
      throw failure ? unreachable(failure) : error;
    }
    const { status } = response;
    if (context) context.status = status;
    if (status === 401 && !renewed) {
      renewed = true;
      const next = await bearer.afterRefusal(tokens);
      if (next.accessToken !== tokens.accessToken) {
        tokens = next;
        if (context) context.renewed = true;
        continue;
      }
    }
    if (status >= 200 && status < 300)
      return { status, headers: response.headers, data: parseBody(call.what, response) };
    const asked = retryAfterMs(response.headers['retry-after'], retryClock.now());
    if (call.method === 'GET' && isRetryStatus(status)) {
      const delay = retryDelay(retries, asked);
      if (delay !== undefined && delay < deadline - retryClock.now()) {
        await retryClock.sleep(delay);
        retries += 1;
        continue;
      }
    }
    throw refused(call.what, status, asked);
  }
}

/** The JSON body of a successful answer, or `undefined` when it has none. */
function parseBody(what: string, response: TransportResponse): unknown {
  if (response.text.trim() === '') return undefined;
  try {
    return JSON.parse(response.text);
  } catch {
    throw new JustLoginApiError(
      `JustLogin's API (${what}) answered HTTP ${response.status} with a body that is not JSON`,
      'EBADRESPONSE',
      { status: response.status, retryable: false },
    );
  }
}

/** The error of an answer with status `status` (not 2xx). */
function refused(what: string, status: number, retryAfter: number | undefined): JustLoginApiError {
  const retryable = status === 429 || status >= 500;
  const why =
    status === 401
      ? ': the access token was refused, also after renewing it; the user must sign in with JustLogin again'
      : status === 403
        ? ': the signed-in user may not make this call'
        : status === 404
          ? ': not found'
          : retryable
            ? '; the call may be retried later'
            : '';
  return new JustLoginApiError(`JustLogin's API (${what}) answered HTTP ${status}${why}`, 'EHTTPSTATUS', {
    status,
    retryable,
    reauthenticate: status === 401,
    retryAfter: retryAfter === undefined ? undefined : Math.ceil(retryAfter / 1000),
  });
}

function unreachable(error: JustLoginRequestError): JustLoginApiError {
  return new JustLoginApiError(error.message, error.code, {
    status: error.status,
    retryable: error.retryable,
    cause: error,
  });
}

function timedOut(what: string, timeout: number): JustLoginApiError {
  return new JustLoginApiError(
    `JustLogin's API (${what}) did not answer within ${timeout} ms; the call may be retried`,
    'ETIMEDOUT',
    { retryable: true },
  );
}
