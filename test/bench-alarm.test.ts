// The benchmarks' alarms (bench/alarm.js), with nothing timed: a sign-in CPU ratio more than 10 %
// over the baseline's fails the run and one within passes; so does an install past 11 packages or
// 1.5 MiB. The committed baseline holds the ratios they compare with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MARGIN, MAX_BYTES, MAX_PACKAGES, SOAK_MARGIN, baselineFrom, judge, type Baseline } from '../bench/alarm';

const baseline: Baseline = {
  signIn: { cpu: 0.98, cpuSigned: 1.06 },
  soak: { redisCommandsPerRenewal: 6.8, p99AddedLatencyMs: 240 },
};
const ok = (measured: Record<string, number>): boolean[] => judge(baseline, measured).map((verdict) => verdict.ok);

it('passes a sign-in CPU ratio up to 10 % over the baseline, as the table shows it, and fails one above', () => {
  expect(MARGIN).toBe(0.1);
  expect(judge(baseline, { 'sign-in-cpu': 1.0751 })).toEqual([
    { name: 'sign-in-cpu', value: 1.08, ok: true, target: '≤ 1.08 (baseline 0.98 + 10 %)' },
  ]);
  expect(ok({ 'sign-in-cpu': 0.9 })).toEqual([true]);
  expect(ok({ 'sign-in-cpu': 1.0851 })).toEqual([false]);
  expect(ok({ 'sign-in-cpu-signed': 1.16 })).toEqual([true]);
  expect(ok({ 'sign-in-cpu-signed': 1.18 })).toEqual([false]);
  expect(ok({ 'sign-in-cpu': 1.5, 'sign-in-cpu-signed': 1.0 })).toEqual([false, true]);
});

it("passes the soak's Redis commands per renewal and p99 added latency up to 25 % over its baseline, and fails them above", () => {
  expect(SOAK_MARGIN).toBe(0.25);
  expect(judge(baseline, { 'soak-redis-commands': 8.5, 'soak-p99-added-latency': 300 })).toEqual([
    { name: 'soak-redis-commands', value: 8.5, ok: true, target: '≤ 8.50 (baseline 6.80 + 25 %)' },
    { name: 'soak-p99-added-latency', value: 300, ok: true, target: '≤ 300 ms (baseline 240 ms + 25 %)' },
  ]);
  expect(ok({ 'soak-redis-commands': 8.51, 'soak-p99-added-latency': 300.4 })).toEqual([false, true]);
  expect(ok({ 'soak-p99-added-latency': 301 })).toEqual([false]);
  expect(judge({ signIn: baseline.signIn }, { 'soak-redis-commands': 1 })).toEqual([
    { name: 'soak-redis-commands', value: 1, ok: false, target: 'no baseline' },
  ]);
});

it('has a committed soak baseline, with the settings it was measured with', () => {
  const committed = JSON.parse(readFileSync(join(__dirname, '..', 'bench', 'baseline-soak.json'), 'utf8')) as {
    settings: { users: number; instances: number; minutes: number };
    redisCommandsPerRenewal: number;
    p99AddedLatencyMs: number;
  };
  expect(committed.settings).toEqual({
    users: expect.any(Number),
    instances: expect.any(Number),
    minutes: expect.any(Number),
  });
  expect(committed.redisCommandsPerRenewal).toBeGreaterThan(3);
  expect(committed.p99AddedLatencyMs).toBeGreaterThan(0);
});

it('fails a sign-in CPU ratio when there is no baseline to compare it with', () => {
  expect(judge(undefined, { 'sign-in-cpu': 0.5 })).toEqual([
    { name: 'sign-in-cpu', value: 0.5, ok: false, target: 'no baseline' },
  ]);
});

it('passes an install of up to 11 packages and 1.5 MiB, and fails a package or a byte more', () => {
  expect([MAX_PACKAGES, MAX_BYTES]).toEqual([11, 1.5 * 2 ** 20]);
  expect(ok({ 'install-packages': 11, 'install-bytes': 1.5 * 2 ** 20 })).toEqual([true, true]);
  expect(ok({ 'install-packages': 12, 'install-bytes': 1.5 * 2 ** 20 + 1 })).toEqual([false, false]);
  expect(() => judge(baseline, { 'start-up': 1 })).toThrow('no alarm named start-up');
});

it("makes the baseline from one run's sign-in ratios, to three decimals, and needs them", () => {
  const measured = { 'sign-in-cpu': 0.98123, 'sign-in-cpu-signed': 1.0649, 'install-packages': 10 };
  expect(baselineFrom(measured, { machine: 'here' })).toEqual({
    machine: 'here',
    signIn: { cpu: 0.981, cpuSigned: 1.065 },
  });
  expect(() => baselineFrom({ 'install-packages': 10 }, {})).toThrow('a baseline needs the sign-in section');
});

it('has a committed baseline with both sign-in ratios', () => {
  const committed = JSON.parse(readFileSync(join(__dirname, '..', 'bench', 'baseline.json'), 'utf8')) as Baseline;
  for (const ratio of [committed.signIn.cpu, committed.signIn.cpuSigned]) {
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  }
});
