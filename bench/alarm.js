'use strict';
// The benchmarks' alarms against regressions, judged after every run (CI runs the quick form): a
// sign-in's app CPU against passport-oauth2's more than 10 % over the ratio of the baseline
// (bench/baseline.json, written by `npm run bench -- --write-baseline` from one full run), an
// install into a JavaScript app past 11 packages or 1.5 MiB, and the soak's Redis commands per
// renewal or p99 added latency more than 25 % over its baseline (bench/baseline-soak.json, written
// with the soak's own --write-baseline).

/** How far a sign-in CPU ratio may rise over the baseline's. */
const MARGIN = 0.1;
/** How far the soak's Redis commands per renewal and p99 added latency may rise over its baseline. */
const SOAK_MARGIN = 0.25;
const MAX_PACKAGES = 11;
const MAX_BYTES = 1.5 * 2 ** 20;

/** A sign-in ratio's limit, judged as the table shows it (two decimals). */
function overBaseline(base) {
  if (typeof base !== 'number') return undefined;
  const limit = Number((base * (1 + MARGIN)).toFixed(2));
  return {
    limit,
    target: `≤ ${limit.toFixed(2)} (baseline ${base.toFixed(2)} + ${MARGIN * 100} %)`,
    judged: (value) => Number(value.toFixed(2)),
  };
}

/** A soak figure's limit: `digits` after the point, as the table shows it, in `unit`. */
function overSoakBaseline(base, digits, unit = '') {
  if (typeof base !== 'number') return undefined;
  const limit = Number((base * (1 + SOAK_MARGIN)).toFixed(digits));
  const shown = (value) => `${value.toFixed(digits)}${unit}`;
  return {
    limit,
    target: `≤ ${shown(limit)} (baseline ${shown(base)} + ${SOAK_MARGIN * 100} %)`,
    judged: (value) => Number(value.toFixed(digits)),
  };
}

/** Each alarm's limit given the baseline; a row carries the alarm's name and the value measured. */
const ALARMS = {
  'sign-in-cpu': (baseline) => overBaseline(baseline?.signIn?.cpu),
  'sign-in-cpu-signed': (baseline) => overBaseline(baseline?.signIn?.cpuSigned),
  'install-packages': () => ({ limit: MAX_PACKAGES, target: `≤ ${MAX_PACKAGES}`, judged: (value) => value }),
  'install-bytes': () => ({ limit: MAX_BYTES, target: `≤ ${MAX_BYTES / 2 ** 20} MiB`, judged: (value) => value }),
  'soak-redis-commands': (baseline) => overSoakBaseline(baseline?.soak?.redisCommandsPerRenewal, 2),
  'soak-p99-added-latency': (baseline) => overSoakBaseline(baseline?.soak?.p99AddedLatencyMs, 0, ' ms'),
};

/** The baseline one full run makes: `measured` maps alarm names to values; `about` says when and where. */
function baselineFrom(measured, about) {
  const ratio = (name) => {
    if (typeof measured[name] !== 'number') throw new Error(`a baseline needs the sign-in section: no ${name}`);
    return Number(measured[name].toFixed(3));
  };
  return { ...about, signIn: { cpu: ratio('sign-in-cpu'), cpuSigned: ratio('sign-in-cpu-signed') } };
}

/**
 * Judges `measured` (alarm name → value, for the sections that ran) against `baseline` (or
 * undefined): `{ name, value, ok, target }` for each, `value` as judged. A sign-in ratio with no
 * baseline fails.
 */
function judge(baseline, measured) {
  return Object.entries(measured).map(([name, value]) => {
    if (!ALARMS[name]) throw new Error(`no alarm named ${name}`);
    const limit = ALARMS[name](baseline);
    if (!limit) return { name, value, ok: false, target: 'no baseline' };
    const judged = limit.judged(value);
    return { name, value: judged, ok: judged <= limit.limit, target: limit.target };
  });
}

module.exports = { MARGIN, SOAK_MARGIN, MAX_PACKAGES, MAX_BYTES, baselineFrom, judge };
