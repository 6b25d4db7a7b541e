import { redact } from '../redact';
import type { CheckResult, CheckStatus } from './checks';

const SYMBOLS: Record<CheckStatus, string> = { pass: '✓', fail: '✗', unknown: '?', skip: '-' };

/** True when every check passed: the command's exit code is 0 only then. */
export function allPassed(results: readonly CheckResult[]): boolean {
  return results.every((result) => result.status === 'pass');
}

/**
 * One line per check (`✓`, `✗`, `?` could not tell, `-` not checked), what to
 * do after `→`, and a summary; `secrets` redacted, whatever a server echoed.
 */
export function textReport(results: readonly CheckResult[], secrets: readonly (string | undefined)[]): string {
  const lines = results.map(
    ({ check, status, finding, fix }) => `${SYMBOLS[status]} ${check}: ${finding}${fix ? ` → ${fix}` : ''}`,
  );
  const passed = results.filter((result) => result.status === 'pass').length;
  lines.push(allPassed(results) ? `All ${passed} checks passed.` : `${passed} of ${results.length} checks passed.`);
  return redact(`${lines.join('\n')}\n`, secrets);
}

/** The same checks as JSON, `{ ok, checks: [{ check, status, finding, fix? }] }`, `secrets` redacted. */
export function jsonReport(results: readonly CheckResult[], secrets: readonly (string | undefined)[]): string {
  return redact(`${JSON.stringify({ ok: allPassed(results), checks: results }, null, 2)}\n`, secrets);
}

/** `text` on one line, at most 200 characters, without control characters: for what a server sent. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
