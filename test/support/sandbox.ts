// Runs the JustLogin sandbox identity server (example-app/sandbox) as a child process for tests.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const SANDBOX_DIR = join(__dirname, '..', '..', 'example-app', 'sandbox');
const START_TIMEOUT_MS = 15_000;

export interface DemoUser {
  companyId: string;
  username: string;
  password: string;
  /** Exactly the claims the sandbox puts in this user's id_token (besides iss, aud, exp, …). */
  claims: Record<string, string>;
}

/** The sandbox's demo users: ACME alice and bob, GLOBEX carol. */
export const DEMO_USERS = JSON.parse(readFileSync(join(SANDBOX_DIR, 'demo-users.json'), 'utf8')) as DemoUser[];

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  /** `${origin}/v1/auth` */
  issuer: string;
  clientID: string;
  clientSecret: string;
  /** `token-request grant_type=<grant> status=<status>` lines, in order, as they arrive. */
  tokenRequests: string[];
  /** Resolves once at least `count` token requests were logged (they arrive asynchronously). */
  waitForTokenRequests(count: number, timeoutMs?: number): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Starts `node example-app/sandbox/main.mjs` on a free port with token-request logging on.
 * `env` adds to or overrides the sandbox's environment (e.g. `SANDBOX_ACCESS_TOKEN_TTL`).
 */
export async function startSandbox(env: Record<string, string> = {}): Promise<RunningSandbox> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, SANDBOX_PORT: '0', SANDBOX_LOG_TOKEN_REQUESTS: '1', ...env };
  const child = spawn(process.execPath, [join(SANDBOX_DIR, 'main.mjs')], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });

  const tokenRequests: string[] = [];
  const waiters = new Set<() => void>();
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`sandbox did not start within ${START_TIMEOUT_MS} ms; stderr:\n${stderr}`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited with code ${code} before listening; stderr:\n${stderr}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const listening = /^JustLogin sandbox listening: issuer=(\S+)$/.exec(line);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]);
      } else if (line.startsWith('token-request ')) {
        tokenRequests.push(line);
        waiters.forEach((check) => check());
      }
    });
  });

  return {
    origin: new URL(issuer).origin,
    issuer,
    clientID: childEnv.JUSTLOGIN_SANDBOX_CLIENT_ID || 'demo-client',
    clientSecret: childEnv.JUSTLOGIN_SANDBOX_CLIENT_SECRET || 'demo-secret',
    tokenRequests,
    waitForTokenRequests(count, timeoutMs = 2_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (tokenRequests.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(tokenRequests);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `expected ${count} token requests, the sandbox logged ${tokenRequests.length}:\n${tokenRequests.join('\n')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
