import { JustLoginOptionsError } from '../errors';

/**
 * Checks one option's value (never `undefined`: absent options are not checked)
 * and returns what is wrong with it, e.g. `"must be a positive whole number of
 * milliseconds"`, or `undefined` when it is fine. `options` is the whole options
 * object, for rules that depend on another option.
 */
export type OptionRule = (value: unknown, options: Record<string, unknown>) => string | undefined;

/** The most unknown keys a message names; the rest are counted. */
const MAX_UNKNOWN_LISTED = 10;
/** The most characters of an unknown key a message shows. */
const MAX_KEY_SHOWN = 64;
/** The longest delay `setTimeout` honours; a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Checks every option of `component` at once and throws one
 * {@link JustLoginOptionsError} (a `TypeError`) listing every problem, each
 * naming its option in backticks: a key that is not in `rules` (with a
 * did-you-mean when a known key differs only in case or by at most two edits),
 * a `required` key that is absent or `undefined`, and every present value its
 * rule refuses. An `options` that is not an object is the one problem reported.
 *
 * @example
 * checkOptions('CookieStateStore', options, { secret: rules.secret(32), maxAge: rules.positiveSeconds }, ['secret']);
 */
export function checkOptions(
  component: string,
  options: unknown,
  optionRules: Record<string, OptionRule>,
  required: readonly string[] = [],
): asserts options is Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new JustLoginOptionsError(component, [`options must be an object, not ${describe(options)}`]);
  }
  const given = options as Record<string, unknown>;
  const known = [...new Set([...Object.keys(optionRules), ...required])];
  const problems: string[] = [];
  const unknown = Object.keys(given).filter((key) => !known.includes(key));
  for (const key of unknown.slice(0, MAX_UNKNOWN_LISTED)) {
    const suggestion = closest(key, known);
    problems.push(`\`${printable(key)}\` is not an option${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`);
  }
  if (unknown.length > MAX_UNKNOWN_LISTED) {
    problems.push(`${unknown.length - MAX_UNKNOWN_LISTED} more keys are not options`);
  }
  for (const key of required) {
    if (given[key] === undefined) problems.push(`\`${key}\` is required`);
  }
  for (const [key, rule] of Object.entries(optionRules)) {
    if (given[key] === undefined) continue;
    const problem = rule(given[key], given);
    if (problem) problems.push(`\`${key}\` ${problem}`);
  }
  if (problems.length > 0) throw new JustLoginOptionsError(component, problems);
}

/** `key` on one line and at most 64 characters, to name it in a message. */
function printable(key: string): string {
  // eslint-disable-next-line no-control-regex
  const oneLine = key.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return oneLine.length > MAX_KEY_SHOWN ? `${oneLine.slice(0, MAX_KEY_SHOWN - 1)}…` : oneLine;
}

/** The known key `key` was probably meant to be, or `undefined`. */
function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameLetters = known.find((name) => name.toLowerCase() === lower);
  if (sameLetters) return sameLetters;
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of known) {
    if (Math.abs(name.length - key.length) >= bestDistance) continue;
    const distance = editDistance(lower, name.toLowerCase());
    // Two edits turn any two-letter word into another; only suggest names longer than the edits.
    if (distance < bestDistance && distance < Math.min(key.length, name.length)) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`: optimal string alignment distance. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j += 1) {
      if (i === 0) {
        rows[i].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, rows[i - 2][j - 2] + 1);
      }
      rows[i].push(distance);
    }
  }
  return rows[a.length][b.length];
}

/** What a non-object `options` was, for the message (never its content). */
function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

function isPlainNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Rules most options need. */
export const rules = {
  /** Accepted as given (an option passed on to another library). */
  any: (() => undefined) as OptionRule,
  string: ((value) => (typeof value === 'string' ? undefined : 'must be a string')) as OptionRule,
  nonEmptyString: ((value) =>
    typeof value === 'string' && value !== '' ? undefined : 'must be a non-empty string') as OptionRule,
  boolean: ((value) => (typeof value === 'boolean' ? undefined : 'must be a boolean')) as OptionRule,
  func: ((value) => (typeof value === 'function' ? undefined : 'must be a function')) as OptionRule,
  object: ((value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? undefined
      : 'must be an object') as OptionRule,
  /** A whole number of milliseconds from 1 to 2147483647 (the longest timer Node.js honours). */
  positiveMilliseconds: ((value) =>
    Number.isInteger(value) && (value as number) > 0 && (value as number) <= MAX_TIMER_MS
      ? undefined
      : 'must be a positive whole number of milliseconds (at most 2147483647)') as OptionRule,
  /** A whole number of milliseconds from 0 to 2147483647. */
  nonNegativeMilliseconds: ((value) =>
    Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_TIMER_MS
      ? undefined
      : 'must be a whole number of milliseconds, 0 or more (at most 2147483647)') as OptionRule,
  /** A finite number of seconds above 0. */
  positiveSeconds: ((value) =>
    isPlainNumber(value) && value > 0 ? undefined : 'must be a positive number of seconds') as OptionRule,
  /** A finite number of seconds, 0 or more. */
  nonNegativeSeconds: ((value) =>
    isPlainNumber(value) && value >= 0 ? undefined : 'must be a number of seconds, 0 or more') as OptionRule,
  /** One of `values` (compared with `===`). */
  oneOf(values: readonly unknown[]): OptionRule {
    const listed = values.map((value) => JSON.stringify(value)).join(', ');
    return (value) => (values.includes(value) ? undefined : `must be one of ${listed}`);
  },
  /** An object with these methods (e.g. a logger with `warn`). */
  withMethods(...names: string[]): OptionRule {
    const listed = names.map((name) => `\`${name}\``).join(' and ');
    return (value) =>
      (typeof value === 'object' || typeof value === 'function') &&
      value !== null &&
      names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function')
        ? undefined
        : `must have ${names.length > 1 ? 'methods' : 'a method'} ${listed}`;
  },
  /**
   * A string or Buffer of at least `minLength` bytes (a string in UTF-8) with at least 8 different
   * characters (bytes, for a Buffer): a placeholder such as `'a'` × 32 is refused.
   */
  secret(minLength: number): OptionRule {
    return (value) =>
      (typeof value === 'string' && Buffer.byteLength(value) >= minLength && new Set(value).size >= 8) ||
      (Buffer.isBuffer(value) && value.length >= minLength && new Set(value).size >= 8)
        ? undefined
        : `must be at least ${minLength} characters (bytes, for a Buffer) with at least 8 different ones; make one ` +
          `with node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`;
  },
} satisfies Record<string, OptionRule | ((...args: never[]) => OptionRule)>;
