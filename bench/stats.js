'use strict';
// Medians, spreads and same-round ratios.

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `{ median, min, max }` of a non-empty list. */
function summary(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
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
