import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JustLoginRequestError } from '../lib';
import { send, type TransportRequest } from '../lib/transport';

// The bounded HTTP client every call to JustLogin goes through, against
// servers on 127.0.0.1 that misbehave in each way it must survive.

let server: http.Server;
let url: URL;
let received: Array<{ method?: string; headers: http.IncomingHttpHeaders; body: string }>;
let handler: http.RequestListener;

beforeEach(async () => {
  received = [];
  handler = (_req, res) => res.end('{"ok":true}');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/thing`);
});
afterEach(async () => {
  jest.useRealTimers();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function request(overrides: Partial<TransportRequest> = {}): TransportRequest {
  return { endpoint: 'test endpoint', method: 'GET', url, timeout: 1000, maxBytes: 1024, ...overrides };
}

async function failure(run: Promise<unknown>): Promise<JustLoginRequestError> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(JustLoginRequestError);
    return error as JustLoginRequestError;
  }
  throw new Error('expected a rejection');
}

it('sends the method, headers and body, and returns status, headers and text', async () => {
  handler = (_req, res) => {
    res.writeHead(418, { 'X-Answer': '42' });
    res.end('é short and stout');
  };
  const response = await send(
    request({ method: 'POST', headers: { 'Content-Type': 'text/plain', 'X-Sent': 'yes' }, body: 'hello' }),
  );
  expect(response).toMatchObject({ status: 418, text: 'é short and stout' });
  expect(response.headers['x-answer']).toBe('42');
  expect(received).toEqual([{ method: 'POST', headers: expect.objectContaining({ 'x-sent': 'yes' }), body: 'hello' }]);
});

it.each([
  ['CR/LF', 'a\r\nX-Injected: 1'],
  ['a character outside Latin-1', 'a\u0101'],
])('refuses a header value with %s as EBADREQUEST, sends nothing and leaves no timer', async (_case, value) => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  const error = await failure(send(request({ headers: { Authorization: `Bearer ${value}` } })));
  expect(error).toMatchObject({ code: 'EBADREQUEST', retryable: false });
  expect(error.message).toContain('test endpoint');
  expect(error.message).not.toContain('Injected');
  expect(jest.getTimerCount()).toBe(0);
  expect(received).toHaveLength(0);
});

it('refuses a URL that is not http(s) as EBADREQUEST', async () => {
  const error = await failure(send(request({ url: new URL('ftp://127.0.0.1/x') })));
  expect(error.code).toBe('EBADREQUEST');
});

it('bounds the whole exchange, body included, by the timeout', async () => {
  const timers: NodeJS.Timeout[] = [];
  handler = (_req, res) => {
    res.writeHead(200);
    timers.push(setInterval(() => res.write('.'), 10));
  };
  try {
    const started = performance.now();
    const error = await failure(send(request({ timeout: 200, maxBytes: 1e9 })));
    expect(error).toMatchObject({ code: 'ETIMEDOUT', retryable: true });
    expect(error.message).toBe("JustLogin's test endpoint did not answer within 200 ms; the request may be retried");
    expect(performance.now() - started).toBeLessThan(1000);
  } finally {
    timers.forEach(clearInterval);
  }
});

it('refuses a body over maxBytes while it streams, and one announced over it before reading', async () => {
  handler = (_req, res) => res.end('x'.repeat(1025));
  expect(await failure(send(request()))).toMatchObject({ code: 'ETOOLARGE', status: 200, retryable: false });
  handler = (_req, res) => {
    res.writeHead(200, { 'Content-Length': '5000' });
    res.write('x');
  };
  expect(await failure(send(request()))).toMatchObject({ code: 'ETOOLARGE' });
  handler = (_req, res) => res.end('x'.repeat(1024));
  expect((await send(request())).text).toHaveLength(1024);
});

it('never follows a redirect', async () => {
  handler = (_req, res) => {
    res.writeHead(302, { Location: '/elsewhere' });
    res.end();
  };
  const error = await failure(send(request()));
  expect(error).toMatchObject({ code: 'EREDIRECT', status: 302, retryable: false });
  expect(received).toHaveLength(1);
});

it('reports a body cut short as ECONNRESET', async () => {
  handler = (_req, res) => {
    res.writeHead(200, { 'Content-Length': '100' });
    res.write('{"partial":', () => res.socket?.destroy());
  };
  expect(await failure(send(request()))).toMatchObject({ code: 'ECONNRESET', retryable: true });
});

it('reports a refused connection as ECONNREFUSED', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const error = await failure(send(request({ url: new URL(`http://127.0.0.1:${port}/`) })));
  expect(error).toMatchObject({ code: 'ECONNREFUSED', retryable: true });
  expect(error.message).toBe("Could not reach JustLogin's test endpoint (ECONNREFUSED); the request may be retried");
});
