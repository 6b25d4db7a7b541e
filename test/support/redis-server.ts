// Runs redis-server on a free 127.0.0.1 port, in memory only, for tests.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createClient } from 'redis';
import { freePort } from './free-port';
import { REDIS_SERVER, requireProgram } from './programs';

const START_TIMEOUT_MS = 10_000;

export interface RunningRedis {
  port: number;
  /** redis://127.0.0.1:<port> */
  url: string;
  /** Every key with its string value (`SCAN` + `GET`; another type as `(set)`, …), for checking what was stored. */
  dump(): Promise<Map<string, string>>;
  /** Freezes the server (SIGSTOP): connections stay open, commands get no answer. */
  pause(): void;
  /** Lets a paused server go on (SIGCONT). */
  resume(): void;
  /** Stops the server (SIGKILL), as a crash would. */
  stop(): Promise<void>;
}

/**
 * Starts redis-server, with `args` added to its command line (e.g. cluster settings); throws one
 * line with the install command when it is not on PATH.
 */
export async function startRedis(args: readonly string[] = []): Promise<RunningRedis> {
  const command = requireProgram(REDIS_SERVER);
  // A free port can be taken by another process before redis-server binds it: then it starts on another.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOn(command, await freePort(), args);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === 5) throw error;
    }
  }
}

/** redis-server found its port taken. */
class PortTaken extends Error {}

async function startOn(command: string, port: number, args: readonly string[]): Promise<RunningRedis> {
  const options = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args];
  const child = spawn(command, options, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms:\n${output.join('\n')}`));
    }, START_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`redis-server could not be started: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      const message = `redis-server exited with code ${code}:\n${output.join('\n')}`;
      reject(
        output.some((line) => line.includes('Address already in use')) ? new PortTaken(message) : new Error(message),
      );
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      if (line.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const url = `redis://127.0.0.1:${port}`;
  return {
    port,
    url,
    async dump() {
      const client = createClient({ url });
      await client.connect();
      try {
        const all = new Map<string, string>();
        for await (const keys of client.scanIterator({ COUNT: 100 })) {
          for (const key of keys) {
            // A session index is a set: its value is shown by its type alone.
            const type = await client.type(key);
            all.set(key, type === 'string' ? ((await client.get(key)) ?? '') : `(${type})`);
          }
        }
        return all;
      } finally {
        client.destroy();
      }
    },
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
      await exited;
    },
  };
}
