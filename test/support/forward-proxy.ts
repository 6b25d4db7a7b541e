// A corporate-style HTTP proxy on 127.0.0.1: CONNECT tunnels (what HttpsProxyAgent opens) and
// absolute-form forwarding (what a plain-HTTP forward proxy takes), to loopback targets only.
// It records every request that passed through it.
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { FetchLike } from '../../lib/client/transport';

/** One request that passed through the proxy. */
export interface Passed {
  /** `CONNECT` for a tunnel, `forward` for an absolute-form request. */
  via: 'CONNECT' | 'forward';
  /** host:port reached. */
  target: string;
  /** The request line seen inside the tunnel or forwarded, e.g. `POST /v1/auth/connect/token`. */
  request: string;
}

export interface ForwardProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  passed: Passed[];
  stop(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

export async function startForwardProxy(): Promise<ForwardProxy> {
  const passed: Passed[] = [];
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };

  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://invalid');
    if (target.protocol !== 'http:' || !LOOPBACK.has(target.hostname)) {
      res.writeHead(403).end();
      return;
    }
    passed.push({ via: 'forward', target: target.host, request: `${req.method} ${target.pathname}` });
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client);
    const [host, port] = (req.url ?? '').split(':');
    if (!LOOPBACK.has(host) || !port) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const entry: Passed = { via: 'CONNECT', target: `${host}:${port}`, request: '' };
    passed.push(entry);
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    track(upstream);
    // The tunnelled targets are plain http: the first line sent through is the request line.
    client.once('data', (chunk: Buffer) => {
      entry.request = (head.toString('latin1') + chunk.toString('latin1')).split(' HTTP/')[0];
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', track);

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    passed,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A WHATWG fetch that sends every request through the forward proxy at
 * `proxyURL`, in absolute form, as a fetch set up for a plain-HTTP proxy does.
 */
export function fetchThroughProxy(proxyURL: string): FetchLike {
  const proxy = new URL(proxyURL);
  return (input, init) =>
    new Promise((resolve, reject) => {
      const outgoing = http.request(
        {
          host: proxy.hostname,
          port: proxy.port,
          method: init.method,
          path: input,
          headers: { ...init.headers, Host: new URL(input).host },
          signal: init.signal,
        },
        (answer) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(answer.headers)) {
            for (const one of [value ?? []].flat()) headers.append(name, one);
          }
          const status = answer.statusCode ?? 502;
          const body = status === 204 || status === 304 ? null : (Readable.toWeb(answer) as ReadableStream);
          resolve(new Response(body, { status, headers }));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(init.body);
    });
}
