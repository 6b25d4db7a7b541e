import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REDIS_SENTINEL, REDIS_SERVER, requireProgram } from './support/programs';

// The short soak (bench/soak.js): the built package (dist/) on the sandbox and a Redis watched by
// Sentinel; 1,000 users on two instances for one minute, with every fault: JustLogin's API
// answering 429 then 503, Redis killed and started again, the sandbox stopped and started again,
// an instance killed in the middle of a renewal, and a Sentinel failover. The soak checks its
// invariants itself and exits non-zero when one fails; the numbers that matter are checked here too.
const SOAK = join(__dirname, '..', 'bench', 'soak.js');
const ARGS = ['--users', '1000', '--instances', '2', '--minutes', '1', '--faults', '--json'];
const SOAK_TIMEOUT_MS = 150_000;

interface SoakResult {
  users: number;
  requests: number;
  statuses: Record<string, number>;
  unexpected: number;
  signedOut: number;
  renewals: number;
  renewalsRefused: number;
  refreshTokensSpentTwice: number;
  invalidGrant: number;
  rotations: number;
  perRotation: number;
  renewalsPerUser: { min: number; max: number };
  redisCommandsPerRenewal: number;
  addedLatencyMs: { requests: number; p50: number; p99: number; max: number };
  graceBytesPerRenewal: number;
  warnings: number[];
  windows: Array<{ name: string }>;
  checks: { resumed: boolean[]; killed: { rt: string } };
  failures: string[];
  passed: boolean;
}

let child: ChildProcess | undefined;
beforeAll(() => {
  requireProgram(REDIS_SERVER);
  requireProgram(REDIS_SENTINEL);
});
afterAll(() => {
  if (child?.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});

function runSoak(): Promise<{ code: number | null; stderr: string; result: SoakResult; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const soak = spawn(process.execPath, [SOAK, ...ARGS], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = soak;
    let stdout = '';
    let stderr = '';
    soak.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    soak.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => soak.kill('SIGTERM'), SOAK_TIMEOUT_MS);
    soak.once('close', (code) => {
      clearTimeout(timer);
      try {
        const { result } = JSON.parse(stdout) as { result: SoakResult };
        resolve({ code, stderr, result, ms: Date.now() - started });
      } catch {
        reject(new Error(`the soak printed no results (exit code ${code}):\n${stderr}`));
      }
    });
  });
}

test(
  '1,000 users on two instances for a minute, through every fault: nobody signed out, one renewal per rotation',
  async () => {
    const { code, stderr, result, ms } = await runSoak();
    // The numbers that matter in one object, so that a failure shows them all.
    expect({
      failures: result.failures,
      signedOut: result.signedOut,
      invalidGrant: result.invalidGrant,
      refreshTokensSpentTwice: result.refreshTokensSpentTwice,
      renewalsRefused: result.renewalsRefused,
      unexpected: result.unexpected,
      resumed: result.checks.resumed,
      faults: result.windows.map((window) => window.name),
    }).toEqual({
      failures: [],
      signedOut: 0,
      invalidGrant: 0,
      refreshTokensSpentTwice: 0,
      renewalsRefused: 0,
      unexpected: 0,
      resumed: [true, true],
      faults: ['api', 'redis', 'sandbox', 'instance', 'failover'],
    });
    expect(result.users).toBe(1000);
    expect(result.renewals).toBe(result.rotations);
    expect(result.perRotation).toBe(1);
    expect(result.renewalsPerUser.min).toBeGreaterThanOrEqual(2);
    expect(result.checks.killed.rt).toMatch(/^[0-9a-f]{12}$/);
    for (const warnings of result.warnings) expect(warnings).toBeLessThanOrEqual(2); // once per Redis outage at most
    expect(result.addedLatencyMs.requests).toBeGreaterThan(result.renewals);
    expect(result.graceBytesPerRenewal).toBeGreaterThan(0);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    console.info(`the short soak took ${(ms / 1000).toFixed(1)} s`);
  },
  SOAK_TIMEOUT_MS + 10_000,
);
