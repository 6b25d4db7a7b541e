'use strict';
// Table rows and the Markdown report.
const os = require('node:os');
const { median, summary, ratios } = require('./stats');

function num(value) {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toFixed(digits);
}

/** "median (low–high)" (see `summary`), or the value alone when there is one sample. */
function spread(values, format = num) {
  if (values.length === 1) return format(values[0]);
  const { median: mid, low, high } = summary(values);
  return `${format(mid)} (${format(low)}–${format(high)})`;
}

/** A plain row; `met` is true, false or undefined (no target). */
function row(measure, ours, theirs, ratio = '—', target = '—', met = undefined) {
  const result = met === undefined ? '—' : met ? 'met' : 'MISSED';
  return { measure, ours, theirs, ratio, target, result };
}

/**
 * Compares two lists of samples; the ratio is ours / theirs, per round when
 * `paired` (the lists are same-round pairs), else of the medians. The row's
 * `value` is the median ratio.
 */
function compare(measure, ours, theirs, maxRatio, paired = true) {
  const each = paired ? ratios(ours, theirs) : [median(ours) / median(theirs)];
  // Judged as shown, to two decimals.
  const ratio = Number(median(each).toFixed(2));
  const shown = spread(each, (value) => value.toFixed(2));
  const target = maxRatio === undefined ? '—' : `≤ ${maxRatio.toFixed(2)}`;
  return {
    ...row(
      measure,
      spread(ours),
      spread(theirs),
      shown,
      target,
      maxRatio === undefined ? undefined : ratio <= maxRatio,
    ),
    value: median(each),
  };
}

/** A Markdown table with padded columns (as Prettier lays it out). */
function table(rows) {
  const header = ['Measure', 'passport-justlogin', 'Baseline', 'Ratio', 'Target', 'Result'];
  const right = [false, true, true, true, false, false];
  const cells = [header, ...rows.map((r) => [r.measure, r.ours, r.theirs, r.ratio, r.target, r.result])];
  const widths = header.map((_, i) => Math.max(3, ...cells.map((line) => line[i].length)));
  const line = (values) => `| ${values.join(' | ')} |`;
  const pad = (value, i) => (right[i] ? value.padStart(widths[i]) : value.padEnd(widths[i]));
  const rule = widths.map((width, i) => (right[i] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width)));
  return [line(header.map(pad)), line(rule), ...cells.slice(1).map((values) => line(values.map(pad)))].join('\n');
}

function machine() {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}, ${new Date().toISOString()}`;
}

module.exports = { row, compare, table, machine };
