import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { JustLoginRequestError } from '../../lib';
import {
  createTransport,
  type FetchInit,
  type FetchLike,
  type Transport,
  type TransportRequest,
} from '../../lib/client/transport';
import { freePort } from '../support/free-port';
import { seeGuide } from '../support/guide';

// The one HTTP client every call to JustLogin goes through, on both of its
// paths (node:http and a given fetch), against servers on 127.0.0.1 that
// misbehave in each way it must survive.

/** Sent in every request and in every answer: no error may show it. */
const SECRET = 'sekret-Zq8xW2vK';

let server: http.Server;
let url: URL;
let received: Array<{ method?: string; headers: http.IncomingHttpHeaders; body: string }>;
let handler: http.RequestListener;
/** Resolves when the server sees the connection of the latest request closed. */
let closed: Promise<void>;

beforeEach(async () => {
  received = [];
  handler = (_req, res) => res.end('{"ok":true}');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    closed = new Promise((resolve) => req.socket.on('close', resolve));
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
  return {
    endpoint: 'test endpoint',
    method: 'POST',
    url,
    headers: { Authorization: `Bearer ${SECRET}` },
    body: `client_secret=${SECRET}`,
    timeout: 1000,
    maxBytes: 1024,
    ...overrides,
  };
}

async function failure(run: Promise<unknown>): Promise<JustLoginRequestError> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(JustLoginRequestError);
    expect(inspect(error)).not.toContain(SECRET);
    return error as JustLoginRequestError;
  }
  throw new Error('expected a rejection');
}

/** A fetch that records each call and passes it to Node's own fetch. */
function countingFetch(): FetchLike & { calls: FetchInit[] } {
  const calls: FetchInit[] = [];
  const counting = (input: string, init: FetchInit) => {
    calls.push(init);
    return globalThis.fetch(input, init);
  };
  return Object.assign(counting, { calls });
}

let counting: ReturnType<typeof countingFetch>;
beforeEach(() => {
  counting = countingFetch();
});

describe.each<[string, () => Transport, () => number | undefined]>([
  ['node:http (the default)', () => createTransport(), () => undefined],
  ['globalThis.fetch', () => createTransport({ fetch: globalThis.fetch }), () => undefined],
  ['an instrumented fetch', () => createTransport({ fetch: counting }), () => counting.calls.length],
])('over %s', (_name, transport, fetchCalls) => {
  it('sends the method, headers and body, and returns status, headers and text', async () => {
    handler = (_req, res) => {
      res.writeHead(418, { 'X-Answer': '42' });
      res.end('é short and stout');
    };
    const response = await transport().send(
      request({ headers: { 'Content-Type': 'text/plain', 'X-Sent': 'yes' }, body: 'hello' }),
    );
    expect(response).toMatchObject({ status: 418, text: 'é short and stout' });
    expect(response.headers['x-answer']).toBe('42');
    expect(received).toEqual([
      {
        method: 'POST',
        headers: expect.objectContaining({ 'x-sent': 'yes', 'content-length': '5' }),
        body: 'hello',
      },
    ]);
    expect(fetchCalls() ?? 1).toBe(1);
  });

  it.each([
    ['CR/LF', 'a\r\nX-Injected: 1'],
    ['a character outside Latin-1', 'a\u0101'],
  ])('refuses a header value with %s as EBADREQUEST, sends nothing and leaves no timer', async (_case, value) => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const error = await failure(transport().send(request({ headers: { Authorization: `Bearer ${value}` } })));
    expect(error).toMatchObject({ code: 'EBADREQUEST', retryable: false });
    expect(error.message).toContain('test endpoint');
    expect(error.message).not.toContain('Injected');
    expect(jest.getTimerCount()).toBe(0);
    expect(received).toHaveLength(0);
    expect(fetchCalls() ?? 0).toBe(0);
  });

  it('refuses a URL that is not http(s) as EBADREQUEST', async () => {
    const error = await failure(transport().send(request({ url: new URL('ftp://127.0.0.1/x') })));
    expect(error.code).toBe('EBADREQUEST');
  });

  it('bounds the whole exchange, body included, by the timeout, and closes the connection', async () => {
    const timers: NodeJS.Timeout[] = [];
    handler = (_req, res) => {
      res.writeHead(200);
      timers.push(setInterval(() => res.write(`.${SECRET}`), 10));
    };
    try {
      const started = performance.now();
      const error = await failure(transport().send(request({ timeout: 200, maxBytes: 1e9 })));
      expect(error).toMatchObject({ code: 'ETIMEDOUT', retryable: true });
      expect(error.message).toBe(
        `JustLogin's test endpoint did not answer within 200 ms; the request may be retried${seeGuide('ETIMEDOUT')}`,
      );
      expect(performance.now() - started).toBeLessThan(1000);
      await closed;
    } finally {
      timers.forEach(clearInterval);
    }
  });

  it('refuses a body over maxBytes while it streams, and stops reading it', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      // An endless body: only the transport closing the connection ends it.
      const pump = () => {
        while (res.write(SECRET.repeat(100)));
      };
      res.on('drain', pump);
      pump();
    };
    const error = await failure(transport().send(request({ timeout: 5000 })));
    expect(error).toMatchObject({ code: 'ETOOLARGE', status: 200, retryable: false });
    await closed;
  });

  it('refuses a body announced over maxBytes before reading it, and takes one of exactly maxBytes', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': '5000' });
      res.write('x');
    };
    expect(await failure(transport().send(request({ timeout: 5000 })))).toMatchObject({ code: 'ETOOLARGE' });
    handler = (_req, res) => res.end('x'.repeat(1025));
    expect(await failure(transport().send(request()))).toMatchObject({ code: 'ETOOLARGE', status: 200 });
    handler = (_req, res) => res.end('x'.repeat(1024));
    expect((await transport().send(request())).text).toHaveLength(1024);
  });

  it.each([301, 302, 303, 307, 308])('never follows a redirect (%i)', async (status) => {
    handler = (_req, res) => {
      res.writeHead(status, { Location: '/elsewhere' });
      res.end();
    };
    const error = await failure(transport().send(request()));
    expect(error).toMatchObject({ code: 'EREDIRECT', status, retryable: false });
    expect(received).toHaveLength(1);
  });

  it('reports a body cut short as ECONNRESET', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write(`{"partial":"${SECRET}`, () => res.socket?.destroy());
    };
    expect(await failure(transport().send(request()))).toMatchObject({ code: 'ECONNRESET', retryable: true });
  });

  it('reports a connection reset before any answer as ECONNRESET', async () => {
    handler = (req) => req.socket.destroy();
    expect(await failure(transport().send(request()))).toMatchObject({ code: 'ECONNRESET', retryable: true });
  });

  it('reports a refused connection as ECONNREFUSED', async () => {
    const error = await failure(transport().send(request({ url: new URL(`http://127.0.0.1:${await freePort()}/`) })));
    expect(error).toMatchObject({ code: 'ECONNREFUSED', retryable: true });
    expect(error.message).toBe(
      `Could not reach JustLogin's test endpoint (ECONNREFUSED); the request may be retried${seeGuide('ECONNREFUSED')}`,
    );
  });
});

describe('the node:http path', () => {
  class CountingAgent extends http.Agent {
    connections = 0;
    override createConnection(...args: Parameters<http.Agent['createConnection']>): Socket {
      this.connections++;
      return super.createConnection(...args) as Socket;
    }
  }

  it('connects through the given agent, and through the one setAgent gives for later requests', async () => {
    const first = new CountingAgent();
    const second = new CountingAgent();
    const transport = createTransport({ agent: first });
    await transport.send(request());
    expect([first.connections, second.connections]).toEqual([1, 0]);
    transport.setAgent(second);
    await transport.send(request());
    expect([first.connections, second.connections]).toEqual([1, 1]);
    first.destroy();
    second.destroy();
  });

  it('setAgent refuses an agent that is not a node:http Agent, at once (the `agent` option is read by the client)', () => {
    const notAnAgent = { dispatch() {} } as unknown as http.Agent;
    expect(() => createTransport().setAgent(notAnAgent)).toThrow(/`setAgent` takes a node:http Agent/);
  });
});

describe('the fetch path', () => {
  it('passes redirect: manual and a signal, and reads a body that is a Node stream (node-fetch)', async () => {
    const nodeStreams: FetchLike = async (input, init) => {
      const response = await globalThis.fetch(input, init);
      return { status: response.status, headers: response.headers, body: Readable.fromWeb(response.body!) };
    };
    handler = (_req, res) => res.end('{"streamed":true}');
    expect((await createTransport({ fetch: nodeStreams }).send(request())).text).toBe('{"streamed":true}');
    await createTransport({ fetch: counting }).send(request());
    expect(counting.calls).toEqual([expect.objectContaining({ redirect: 'manual', signal: expect.any(AbortSignal) })]);
  });

  it('reads an answer without a body as empty text', async () => {
    handler = (_req, res) => res.writeHead(204).end();
    expect(await createTransport({ fetch: globalThis.fetch }).send(request())).toMatchObject({ status: 204, text: '' });
  });

  it('treats an opaque redirect as a redirect', async () => {
    const opaque: FetchLike = () =>
      Promise.resolve({ status: 0, type: 'opaqueredirect', headers: new Headers(), body: null });
    expect(await failure(createTransport({ fetch: opaque }).send(request()))).toMatchObject({ code: 'EREDIRECT' });
  });

  it('turns a fetch that throws at once, or rejects with no code, into EFETCH without its message', async () => {
    const throwing: FetchLike = () => {
      throw new Error(`no proxy for ${SECRET}`);
    };
    // Not even an Error: a fetch may reject with anything.
    const rejecting: FetchLike = () => Promise.reject(`just a string ${SECRET}`); // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors
    for (const fetch of [throwing, rejecting]) {
      const error = await failure(createTransport({ fetch }).send(request()));
      expect(error).toMatchObject({ code: 'EFETCH', retryable: true });
      expect(error.message).toBe(
        `Could not reach JustLogin's test endpoint (EFETCH); the request may be retried${seeGuide('EFETCH')}`,
      );
    }
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['a number', 42],
    ['an object without a status', { headers: new Headers(), body: null }],
    ['an object without headers', { status: 200, body: null }],
  ])('refuses a fetch that resolves to %s as EBADRESPONSE', async (_case, value) => {
    const garbage = (() => Promise.resolve(value)) as unknown as FetchLike;
    const error = await failure(createTransport({ fetch: garbage }).send(request()));
    expect(error).toMatchObject({ code: 'EBADRESPONSE', retryable: false });
  });

  it.each<[string, unknown]>([
    ['a number', 42],
    ['a stream of numbers', Readable.from([1, 2, 3])],
  ])('refuses a body that is %s as EBADRESPONSE', async (_case, body) => {
    const garbage: FetchLike = () => Promise.resolve({ status: 200, headers: new Headers(), body });
    const error = await failure(createTransport({ fetch: garbage }).send(request()));
    expect(error).toMatchObject({ code: 'EBADRESPONSE', status: 200 });
  });

  it('times out a fetch that never settles and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const never: FetchLike = (_input, init) => {
      signal = init.signal;
      return new Promise(() => undefined);
    };
    const error = await failure(createTransport({ fetch: never }).send(request({ timeout: 50 })));
    expect(error).toMatchObject({ code: 'ETIMEDOUT' });
    expect(signal?.aborted).toBe(true);
  });

  it('cancels the body of a fetch that answers after the deadline, ignoring the signal', async () => {
    let answer!: (response: Awaited<ReturnType<FetchLike>>) => void;
    const late: FetchLike = () => new Promise((resolve) => (answer = resolve));
    const error = await failure(createTransport({ fetch: late }).send(request({ timeout: 50 })));
    expect(error).toMatchObject({ code: 'ETIMEDOUT' });
    const cancelled = new Promise<void>((resolve) => {
      answer({ status: 200, headers: new Headers(), body: new ReadableStream({ cancel: () => resolve() }) });
    });
    await cancelled;
  });

  it('refuses setAgent (the `fetch` and `agent` options are read by the client, never both)', () => {
    expect(() => createTransport({ fetch: globalThis.fetch }).setAgent(new http.Agent())).toThrow(
      /^passport-justlogin: `setAgent` cannot route requests sent with the `fetch` option/,
    );
  });
});
