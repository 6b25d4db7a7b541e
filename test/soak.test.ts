import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REDIS_SERVER, requireProgram } from './support/programs';

// The short soak (bench/soak.js): the built package (dist/) on the sandbox with rotating refresh
// tokens and 4 s access tokens; 20 users fire bursts of parallel and staggered requests for 8 s,
// with one app process and with two instances sharing sessions and renewals in one redis-server.
const SOAK = join(__dirname, '..', 'bench', 'soak.js');
const SECONDS = 8;
const SOAK_TIMEOUT_MS = 150_000;

interface ModeResult {
  mode: string;
  users: number;
  requests: number;
  statuses: Record<string, number>;
  renewals: number;
  renewalsRefused: number;
  renewalsSeen: number;
  refreshTokensSpentTwice: number;
  invalidGrant: number;
  renewalsPerUser: { min: number; max: number };
  appErrors: Record<string, number>;
}

interface SoakRun {
  code: number | null;
  stderr: string;
  results: ModeResult[];
}

let child: ChildProcess | undefined;
beforeAll(() => {
  requireProgram(REDIS_SERVER);
});
afterAll(() => {
  if (child?.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});

function runSoak(): Promise<SoakRun> {
  return new Promise((resolve, reject) => {
    const soak = spawn(process.execPath, [SOAK, String(SECONDS), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = soak;
    let stdout = '';
    let stderr = '';
    soak.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    soak.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => soak.kill('SIGTERM'), SOAK_TIMEOUT_MS);
    soak.once('close', (code) => {
      clearTimeout(timer);
      try {
        const { results } = JSON.parse(stdout) as { results: ModeResult[] };
        resolve({ code, stderr, results });
      } catch {
        reject(new Error(`the soak printed no results (exit code ${code}):\n${stderr}`));
      }
    });
  });
}

test(
  `${SECONDS} s soak, one process and two instances on Redis: every response 200, one renewal per rotation`,
  async () => {
    const { code, stderr, results } = await runSoak();
    expect(results.map((result) => result.mode)).toEqual(['one process', 'two instances, Redis']);
    for (const result of results) {
      // The numbers that matter in one object, so a failure shows them all for the mode.
      expect({
        mode: result.mode,
        users: result.users,
        statuses: result.statuses,
        refreshTokensSpentTwice: result.refreshTokensSpentTwice,
        renewalsRefused: result.renewalsRefused,
        invalidGrant: result.invalidGrant,
        appErrors: result.appErrors,
      }).toEqual({
        mode: result.mode,
        users: 20,
        statuses: { 200: result.requests },
        refreshTokensSpentTwice: 0,
        renewalsRefused: 0,
        invalidGrant: 0,
        appErrors: {},
      });
      expect(result.requests).toBeGreaterThan(result.users * 10);
      // Rotation really happened: every user renewed at least twice...
      expect(result.renewalsPerUser.min).toBeGreaterThanOrEqual(2);
      // ...and each new refresh token a user saw cost exactly one request at the sandbox.
      expect(result.renewals).toBe(result.renewalsSeen);
    }
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  },
  SOAK_TIMEOUT_MS + 10_000,
);
