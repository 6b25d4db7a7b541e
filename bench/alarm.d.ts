// Types of bench/alarm.js.

/** The ratios one full run measured (bench/baseline.json), and when and where. */
export interface Baseline {
  signIn: { cpu: number; cpuSigned: number };
  /** The soak's figures (bench/baseline-soak.json), when it ran. */
  soak?: { redisCommandsPerRenewal: number; p99AddedLatencyMs: number };
  [about: string]: unknown;
}

/** An alarm's verdict on a run: `value` as judged, `target` as the table shows it. */
export interface Verdict {
  name: string;
  value: number;
  ok: boolean;
  target: string;
}

export const MARGIN: number;
export const SOAK_MARGIN: number;
export const MAX_PACKAGES: number;
export const MAX_BYTES: number;
export function baselineFrom(measured: Record<string, number>, about: Record<string, unknown>): Baseline;
export function judge(baseline: Baseline | undefined, measured: Record<string, number>): Verdict[];
