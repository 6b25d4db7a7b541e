import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the token endpoint received it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  form: Record<string, string>;
}

/** What the endpoint does with a request. */
export type Reply =
  | {
      status?: number;
      headers?: Record<string, string>;
      body?: unknown;
      delay?: number;
    }
  | 'hang'
  | 'stall'
  | 'reset';

export type Responder = (request: RecordedRequest) => Reply | Promise<Reply>;

/**
 * A token endpoint on 127.0.0.1 that records every request (method, headers,
 * raw body) and answers what the test tells it to.
 */
export class TokenServer {
  readonly requests: RecordedRequest[] = [];
  url = '';
  origin = '';
  responder: Responder = () => ({ body: tokenResponse() });
  readonly #server = http.createServer((req, res) => this.#handle(req, res));
  readonly #sockets = new Set<import('node:net').Socket>();

  static async start(path = '/v1/auth/connect/token'): Promise<TokenServer> {
    const server = new TokenServer();
    server.#server.on('connection', (socket) => {
      server.#sockets.add(socket);
      socket.on('close', () => server.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    const { port } = server.#server.address() as AddressInfo;
    server.origin = `http://127.0.0.1:${port}`;
    server.url = server.origin + path;
    return server;
  }

  /** Sets what every following request gets. */
  reply(reply: Reply | Responder): this {
    this.responder = typeof reply === 'function' ? reply : () => reply;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        form: Object.fromEntries(new URLSearchParams(body)),
      };
      this.requests.push(recorded);
      void Promise.resolve(this.responder(recorded)).then((reply) => this.#send(req, res, reply));
    });
  }

  #send(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply): void {
    if (reply === 'hang') return;
    if (reply === 'stall') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"access_token":');
      return;
    }
    if (reply === 'reset') {
      req.socket.destroy();
      return;
    }
    const send = () => {
      const payload =
        typeof reply.body === 'string' || Buffer.isBuffer(reply.body) ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status ?? 200, {
        'Content-Type': 'application/json',
        ...reply.headers,
      });
      res.end(payload);
    };
    if (reply.delay) setTimeout(send, reply.delay);
    else send();
  }
}

/** A JustLogin-shaped token response. */
export function tokenResponse(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    access_token: 'access-token-0001',
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: 'refresh-token-0001',
    scope: 'openid',
    ...overrides,
  };
}
