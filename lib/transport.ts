import * as http from 'node:http';
import * as https from 'node:https';
import { JustLoginRequestError } from './errors';

/** Largest body read from JustLogin; anything longer is refused with `ETOOLARGE`. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** One HTTP exchange with a JustLogin endpoint. */
export interface TransportRequest {
  /** Names the endpoint in error messages ("token endpoint", "JWKS"); never holds a secret. */
  endpoint: string;
  method: 'GET' | 'POST';
  url: URL;
  headers?: http.OutgoingHttpHeaders;
  body?: string;
  /** Milliseconds for the whole exchange, from connecting to the last byte of the body. */
  timeout: number;
  /** Largest body read, in bytes. */
  maxBytes: number;
}

/** JustLogin's answer: any status but a redirect, and the whole body as UTF-8 text. */
export interface TransportResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * Sends one request and reads the whole answer within `timeout` and
 * `maxBytes`. Redirects are never followed. Every failure rejects with a
 * {@link JustLoginRequestError}: `ETIMEDOUT`, `ETOOLARGE`, `EREDIRECT`,
 * `EBADREQUEST` (the request could not be sent as given, e.g. a header value
 * HTTP does not allow) or the connection's own code (`ECONNREFUSED`,
 * `ECONNRESET`, `ENOTFOUND`, …). Messages name the endpoint and nothing sent.
 */
export function send(request: TransportRequest): Promise<TransportResponse> {
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
    const timer = setTimeout(
      () =>
        fail(
          new JustLoginRequestError(
            `JustLogin's ${endpoint} did not answer within ${timeout} ms; the request may be retried`,
            'ETIMEDOUT',
            { retryable: true },
          ),
        ),
      timeout,
    );
    const onResponse = (response: http.IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        fail(
          new JustLoginRequestError(
            `JustLogin's ${endpoint} answered with a redirect (HTTP ${status}); redirects are not followed`,
            'EREDIRECT',
            { status, retryable: false },
          ),
        );
        return;
      }
      const tooLarge = () =>
        new JustLoginRequestError(`JustLogin's ${endpoint} sent more than ${maxBytes} bytes`, 'ETOOLARGE', {
          status,
          retryable: false,
        });
      if (Number(response.headers['content-length']) > maxBytes) {
        fail(tooLarge());
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) fail(tooLarge());
        else chunks.push(chunk);
      });
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      // A body cut short ends in 'close' without 'end'.
      response.on('close', () => fail(connectionError(endpoint, 'ECONNRESET')));
    };
    try {
      const client = url.protocol === 'https:' ? https : http;
      outgoing = client.request(url, { method: request.method, headers: request.headers }, onResponse);
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
    outgoing.on('error', (error: NodeJS.ErrnoException) => fail(connectionError(endpoint, error.code)));
    outgoing.end(request.body);
  });
}

function connectionError(endpoint: string, code = 'ECONNRESET'): JustLoginRequestError {
  return new JustLoginRequestError(
    `Could not reach JustLogin's ${endpoint} (${code}); the request may be retried`,
    code,
    { retryable: true },
  );
}
