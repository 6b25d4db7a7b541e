import * as net from 'node:net';

/**
 * Whether what listens on `port` of 127.0.0.1 listens there only, not on every interface: a listener
 * on 0.0.0.0 or :: holds the port on every address of this machine, so that binding it on another
 * address fails. That other address is 127.0.0.2 (all of 127.0.0.0/8 is this machine on Linux); the
 * probe only binds, it sends nothing.
 */
export async function listensOnLoopbackOnly(port: number): Promise<boolean> {
  const probe = net.createServer();
  const bound = await new Promise<boolean>((resolve, reject) => {
    probe.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err)));
    probe.listen(port, '127.0.0.2', () => resolve(true));
  });
  if (bound) await new Promise((resolve) => probe.close(resolve));
  return bound;
}
