// An HTTP(S) proxy on 127.0.0.1 in front of a server (the sandbox), which can move the Date of every
// answer (a server whose clock differs from this machine's) and put its own origin in place of the
// server's in answers (so that the server is met only through the proxy).
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Server, Socket } from 'node:net';

export interface RewritingProxyOptions {
  /** Seconds added to the `Date` header of every answer. */
  dateOffsetSeconds?: number;
  /** Writes the proxy's origin for the server's in bodies and `Location` headers (default false). */
  ownOrigin?: boolean;
  /** Serves https with this key and certificate instead of plain http. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface RewritingProxy {
  /** http://127.0.0.1:<port>, or https:// with `tls` */
  origin: string;
  stop(): Promise<void>;
}

/** Forwards every request to `target` (an http origin on 127.0.0.1) and rewrites its answers as told. */
export async function startRewritingProxy(
  target: string,
  options: RewritingProxyOptions = {},
): Promise<RewritingProxy> {
  const sockets = new Set<Socket>();
  let origin = '';
  const handle: http.RequestListener = (req, res) => {
    const forwarded = http.request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const headers = { ...answer.headers };
          let body = Buffer.concat(chunks);
          if (options.dateOffsetSeconds !== undefined) {
            headers.date = new Date(Date.now() + options.dateOffsetSeconds * 1000).toUTCString();
          }
          if (options.ownOrigin) {
            body = Buffer.from(body.toString('utf8').replaceAll(target, origin));
            if (headers.location) headers.location = headers.location.replaceAll(target, origin);
          }
          delete headers['transfer-encoding'];
          headers['content-length'] = String(body.length);
          res.writeHead(answer.statusCode ?? 502, headers);
          res.end(body);
        });
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  };
  const server: Server = options.tls ? https.createServer(options.tls, handle) : http.createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
