import * as http from 'node:http';
import * as https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { JustLoginOptionsError, JustLoginRequestError } from '../errors';

/** Largest body read from JustLogin; anything longer is refused with `ETOOLARGE`. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** One HTTP exchange with a JustLogin endpoint. */
export interface TransportRequest {
  /** Names the endpoint in error messages ("token endpoint", "JWKS"); never holds a secret. */
  endpoint: string;
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  /** Milliseconds for the whole exchange, from connecting to the last byte of the body. */
  timeout: number;
  /** Largest body read, in bytes. */
  maxBytes: number;
}

/** JustLogin's answer: any status but a redirect, and the whole body as UTF-8 text. */
export interface TransportResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * What the package passes to a {@link FetchLike}.
 *
 * @inline
 */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  redirect: 'manual';
  signal: AbortSignal;
}

/**
 * The parts of a WHATWG `Response` the package reads.
 *
 * @inline
 */
export interface FetchResponseLike {
  /** The HTTP status. */
  readonly status: number;
  /** `opaqueredirect` for a redirect that `redirect: 'manual'` did not follow. */
  readonly type?: string;
  /** `true` when the fetch followed a redirect anyway: the answer is refused. */
  readonly redirected?: boolean;
  /** The URL that answered; any other than the one requested is refused (an empty one is not checked). */
  readonly url?: string;
  /** The response headers. */
  readonly headers: {
    /** Calls `callback` with each header. */
    forEach(callback: (value: string, name: string) => void): void;
  };
  /** A WHATWG `ReadableStream`, any async iterable of bytes (node-fetch), or `null`. */
  readonly body: unknown;
}

/**
 * Any WHATWG-compatible fetch: `globalThis.fetch`, undici's, or a wrapper around one.
 *
 * @group Sign-in
 */
export type FetchLike = (input: string, init: FetchInit) => Promise<FetchResponseLike>;

export interface TransportOptions {
  /** Sends every request with this fetch instead of `node:http(s)`. */
  fetch?: FetchLike;
  /** The `node:http(s)` agent for every request, e.g. a proxy agent. Not with `fetch`. */
  agent?: http.Agent;
}

/**
 * The one HTTP client of the package. `send` reads the whole answer within
 * `timeout` and `maxBytes` and never follows a redirect. Every failure rejects
 * with a {@link JustLoginRequestError}: `ETIMEDOUT`, `ETOOLARGE`, `EREDIRECT`,
 * `EBADREQUEST` (the request could not be sent as given, e.g. a header value
 * HTTP does not allow), `EBADRESPONSE` (a `fetch` that resolved to no
 * response), the connection's own code (`ECONNREFUSED`, `ECONNRESET`, …) or
 * `EFETCH` (a `fetch` failed without one). Messages name the endpoint and nothing sent.
 */
export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Uses `agent` for every later request (passport-oauth2's `_oauth2.setAgent`); refused with `fetch`. */
  setAgent(agent: http.Agent): void;
}

/** A transport over `node:http(s)` (the default, optionally with an `agent`) or over the given `fetch` (the client's settings: never both). */
export function createTransport(options: TransportOptions = {}): Transport {
  const { fetch } = options;
  let agent = options.agent;
  return {
    send(request) {
      const refused = checkRequest(request);
      if (refused) return Promise.reject(refused);
      return fetch ? sendWithFetch(fetch, request) : sendWithNode(request, agent);
    },
    setAgent(next) {
      if (fetch) {
        throw new JustLoginOptionsError('JustLoginClient', [
          '`setAgent` cannot route requests sent with the `fetch` option; route the fetch through the proxy instead',
        ]);
      }
      if (!(next instanceof http.Agent)) {
        throw new JustLoginOptionsError('JustLoginClient', [
          '`setAgent` takes a node:http Agent (e.g. an HttpsProxyAgent)',
        ]);
      }
      agent = next;
    },
  };
}

/** Header values as `node:http` accepts them: no CR, LF or other control character, nothing outside Latin-1. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Refuses, before anything is sent, what HTTP cannot carry. */
function checkRequest(request: TransportRequest): JustLoginRequestError | undefined {
  const problem =
    request.url.protocol !== 'http:' && request.url.protocol !== 'https:'
      ? 'not an http(s) URL'
      : Object.values(request.headers ?? {}).some((value) => !HEADER_VALUE.test(value))
        ? 'a header value HTTP does not allow'
        : undefined;
  if (!problem) return undefined;
  return new JustLoginRequestError(
    `The request to JustLogin's ${request.endpoint} could not be sent as given (${problem})`,
    'EBADREQUEST',
    { retryable: false },
  );
}

function sendWithNode(request: TransportRequest, agent: http.Agent | undefined): Promise<TransportResponse> {
  const { endpoint, url, timeout, maxBytes } = request;
  return new Promise((resolve, reject) => {
    let settled = false;
    let outgoing: http.ClientRequest | undefined;
    const fail = (error: JustLoginRequestError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing?.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(timedOut(endpoint, timeout)), timeout);
    const onResponse = (response: http.IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        fail(redirected(endpoint, status));
        return;
      }
      if (Number(response.headers['content-length']) > maxBytes) {
        fail(tooLarge(endpoint, maxBytes, status));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) fail(tooLarge(endpoint, maxBytes, status));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      // A body cut short ends in 'close' without 'end' (after 'end', 'close' comes too: no error to make then).
      response.on('close', () => {
        if (!settled) fail(unreachable(endpoint, 'ECONNRESET'));
      });
    };
    const headers: http.OutgoingHttpHeaders = { ...request.headers };
    if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body);
    try {
      const client = url.protocol === 'https:' ? https : http;
      outgoing = client.request({ ...targetOf(url), method: request.method, headers, agent }, onResponse);
    } catch (error) {
      fail(
        new JustLoginRequestError(
          `The request to JustLogin's ${endpoint} could not be sent as given (${(error as NodeJS.ErrnoException).code ?? 'invalid request'})`,
          'EBADREQUEST',
          { retryable: false },
        ),
      );
      return;
    }
    outgoing.on('error', (error: NodeJS.ErrnoException) => fail(unreachable(endpoint, error.code ?? 'ECONNRESET')));
    outgoing.end(request.body);
  });
}

/** node:http's options for each URL requested, worked out once per URL (and again if it changes). */
const targets = new WeakMap<URL, { href: string; options: http.RequestOptions }>();

function targetOf(url: URL): http.RequestOptions {
  let target = targets.get(url);
  if (target?.href !== url.href) {
    target = { href: url.href, options: urlToHttpOptions(url) };
    targets.set(url, target);
  }
  return target.options;
}

async function sendWithFetch(fetch: FetchLike, request: TransportRequest): Promise<TransportResponse> {
  const controller = new AbortController();
  const exchange: Exchange = { signal: controller.signal, cancelBody: () => undefined };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(timedOut(request.endpoint, request.timeout)), request.timeout);
  });
  try {
    return await Promise.race([fetchWhole(fetch, request, exchange), deadline]);
  } finally {
    clearTimeout(timer);
    // Ends whatever is still under way: a fetch that has not answered, a body not read to its end.
    controller.abort();
    exchange.cancelBody();
  }
}

interface Exchange {
  signal: AbortSignal;
  /** Cancels the response body being read, if any. */
  cancelBody: () => void;
}

/** One fetch, its answer checked and its body read within `maxBytes`. */
async function fetchWhole(fetch: FetchLike, request: TransportRequest, exchange: Exchange): Promise<TransportResponse> {
  const { endpoint, maxBytes } = request;
  let response: unknown;
  try {
    response = await fetch(request.url.href, {
      method: request.method,
      headers: { ...request.headers },
      body: request.body,
      redirect: 'manual',
      signal: exchange.signal,
    });
  } catch (error) {
    throw unreachable(endpoint, connectionCode(error) ?? 'EFETCH');
  }
  if (!isResponse(response)) {
    throw new JustLoginRequestError(
      `The \`fetch\` given for JustLogin's ${endpoint} resolved to something that is not a Response`,
      'EBADRESPONSE',
      { retryable: false },
    );
  }
  const body = readerOf(response.body);
  if (exchange.signal.aborted) {
    // A fetch that answered after the deadline, ignoring the signal.
    body?.cancel();
    throw timedOut(endpoint, request.timeout);
  }
  exchange.cancelBody = () => body?.cancel();
  const { status } = response;
  if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
    throw redirected(endpoint, status || undefined);
  }
  // A fetch that followed a redirect although asked not to: the answer comes from elsewhere.
  if (
    response.redirected === true ||
    (typeof response.url === 'string' && response.url !== '' && response.url !== request.url.href)
  ) {
    throw new JustLoginRequestError(
      `The \`fetch\` given followed a redirect from JustLogin's ${endpoint}; its answer is refused (redirects are not followed)`,
      'EREDIRECT',
      { retryable: false },
    );
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
  if (Number(headers['content-length']) > maxBytes) throw tooLarge(endpoint, maxBytes, status);
  if (response.body === null || response.body === undefined) return { status, headers, text: '' };
  if (!body) throw notBytes(endpoint, status);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let step: IteratorResult<unknown>;
    try {
      step = await body.read();
    } catch (error) {
      throw unreachable(endpoint, connectionCode(error) ?? 'ECONNRESET');
    }
    if (step.done) break;
    const chunk = typeof step.value === 'string' ? Buffer.from(step.value) : step.value;
    if (!(chunk instanceof Uint8Array)) throw notBytes(endpoint, status);
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(endpoint, maxBytes, status);
    chunks.push(chunk);
  }
  exchange.cancelBody = () => undefined;
  return { status, headers, text: Buffer.concat(chunks).toString('utf8') };
}

function isResponse(value: unknown): value is FetchResponseLike {
  const response = value as Partial<FetchResponseLike> | null;
  return (
    typeof response === 'object' &&
    response !== null &&
    Number.isInteger(response.status) &&
    typeof response.headers?.forEach === 'function'
  );
}

interface BodyReader {
  read(): Promise<IteratorResult<unknown>>;
  cancel(): void;
}

/** Reads a WHATWG ReadableStream, or any async iterable (node-fetch's bodies are Node streams). */
function readerOf(body: unknown): BodyReader | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const stream = body as { getReader?: () => { read(): Promise<IteratorResult<unknown>>; cancel(): Promise<void> } };
  if (typeof stream.getReader === 'function') {
    const reader = stream.getReader();
    return { read: () => reader.read(), cancel: () => void reader.cancel().catch(() => undefined) };
  }
  const iterate = (body as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator];
  if (typeof iterate === 'function') {
    const iterator = iterate.call(body);
    return {
      read: () => iterator.next(),
      cancel: () => void Promise.resolve(iterator.return?.()).catch(() => undefined),
    };
  }
  return undefined;
}

/** The errno-style code of a failed fetch or body read, where it names one (undici puts it in `cause`). */
function connectionCode(error: unknown): string | undefined {
  const causes = [error, (error as { cause?: unknown } | null)?.cause];
  for (const cause of causes) {
    const code = (cause as { code?: unknown } | null)?.code;
    if (code === 'UND_ERR_SOCKET') return 'ECONNRESET';
    if (typeof code === 'string' && /^E[A-Z]{2,20}$/.test(code)) return code;
  }
  return undefined;
}

function timedOut(endpoint: string, timeout: number): JustLoginRequestError {
  return new JustLoginRequestError(
    `JustLogin's ${endpoint} did not answer within ${timeout} ms; the request may be retried`,
    'ETIMEDOUT',
    { retryable: true },
  );
}

function redirected(endpoint: string, status: number | undefined): JustLoginRequestError {
  return new JustLoginRequestError(
    `JustLogin's ${endpoint} answered with a redirect${status ? ` (HTTP ${status})` : ''}; redirects are not followed`,
    'EREDIRECT',
    { status, retryable: false },
  );
}

function tooLarge(endpoint: string, maxBytes: number, status: number): JustLoginRequestError {
  return new JustLoginRequestError(`JustLogin's ${endpoint} sent more than ${maxBytes} bytes`, 'ETOOLARGE', {
    status,
    retryable: false,
  });
}

function notBytes(endpoint: string, status: number): JustLoginRequestError {
  return new JustLoginRequestError(
    `The \`fetch\` given for JustLogin's ${endpoint} resolved to a Response whose body is not a stream of bytes`,
    'EBADRESPONSE',
    { status, retryable: false },
  );
}

function unreachable(endpoint: string, code: string): JustLoginRequestError {
  return new JustLoginRequestError(
    `Could not reach JustLogin's ${endpoint} (${code}); the request may be retried`,
    code,
    { retryable: true },
  );
}
