// An HTTP proxy on 127.0.0.1 in front of the sandbox that never answers the first refresh
// request (nor forwards it), as if the app instance that sent it died mid-refresh.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface HoldingProxy {
  /** http://127.0.0.1:<port>: use it as the app's JustLogin base URL. */
  origin: string;
  /** Resolves when the first `grant_type=refresh_token` request arrived and is being held. */
  held: Promise<void>;
  stop(): Promise<void>;
}

/** Forwards every request to `target` (an origin), except the first refresh request. */
export async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  let hold!: () => void;
  const held = new Promise<void>((resolve) => (hold = resolve));
  let holding = false;
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (!holding && new URLSearchParams(body.toString('utf8')).get('grant_type') === 'refresh_token') {
        holding = true;
        hold();
        return;
      }
      const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers });
      upstream.on('response', (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    held,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
