import * as http from 'node:http';
import * as https from 'node:https';
import { JustLoginRequestError } from '../errors';

/** The first answer to a GET: its status, headers and the start of its body. */
export interface ProbeAnswer {
  status: number;
  /** Header names in lower case. */
  headers: http.IncomingHttpHeaders;
  /** At most `maxBytes` of the body, as UTF-8. */
  body: string;
}

/**
 * GETs `url` once, without cookies, and resolves with the first answer, a
 * redirect included (it is not followed): what a browser would be told to do
 * next. Reads at most `maxBytes` of the body within `timeout` milliseconds;
 * rejects with a {@link JustLoginRequestError} carrying the connection's code
 * (`ECONNREFUSED`, a TLS code, …) or `ETIMEDOUT`.
 */
export function probe(url: URL, timeout: number, maxBytes = 64 * 1024): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let answer: Omit<ProbeAnswer, 'body'> | undefined;
    let settled = false;
    const finish = (error?: JustLoginRequestError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      if (error) reject(error);
      else resolve({ ...answer!, body: Buffer.concat(chunks).toString('utf8') });
    };
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(url, { headers: { Accept: 'text/html' } }, (response) => {
      answer = { status: response.statusCode ?? 0, headers: response.headers };
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk.subarray(0, maxBytes - size));
        size += chunk.length;
        if (size >= maxBytes) finish();
      });
      response.on('end', () => finish());
      response.on('close', () => finish());
    });
    request.on('error', (error: NodeJS.ErrnoException) => finish(unreachable(url, error.code ?? 'ECONNRESET')));
    const timer = setTimeout(
      () =>
        finish(
          new JustLoginRequestError(`JustLogin's authorize endpoint did not answer within ${timeout} ms`, 'ETIMEDOUT', {
            retryable: true,
          }),
        ),
      timeout,
    );
  });
}

function unreachable(url: URL, code: string): JustLoginRequestError {
  return new JustLoginRequestError(`Could not reach JustLogin at ${url.origin} (${code})`, code, { retryable: true });
}
