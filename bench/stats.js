'use strict';
// Medians, spreads and same-round ratios.

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The `p`-th quantile (0 to 1) of a non-empty list, interpolated. */
function quantile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * p;
  const below = Math.floor(at);
  return sorted[below] + (sorted[Math.ceil(at)] - sorted[below]) * (at - below);
}

/**
 * `{ median, low, high }` of a non-empty list: low and high are the least and
 * the greatest value, or, from 10 values on, the 25th and 75th percentiles.
 */
function summary(values) {
  const quartiles = values.length >= 10;
  return {
    median: median(values),
    low: quartiles ? quantile(values, 0.25) : Math.min(...values),
    high: quartiles ? quantile(values, 0.75) : Math.max(...values),
  };
}

/** `ours[i] / theirs[i]`: each ratio taken within one round. */
function ratios(ours, theirs) {
  return ours.map((value, i) => value / theirs[i]);
}

/** Milliseconds since `start` (a `process.hrtime.bigint()`). */
function msSince(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

module.exports = { median, summary, ratios, msSince };
