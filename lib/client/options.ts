import { JustLoginOptionsError } from '../errors';

/**
 * Checks one option's value (never `undefined`: absent options are not checked)
 * and returns what is wrong with it, e.g. `"must be a positive whole number of
 * milliseconds"`, or `undefined` when it is fine. `options` holds every option's
 * value as given (each read once), for rules that depend on another option.
 */
export type OptionRule = (value: unknown, options: Readonly<Record<string, unknown>>) => string | undefined;

/** One option: the rule its value must meet, and its setting when it is not given. */
export interface OptionSpec {
  /** What a given value must be. */
  readonly rule: OptionRule;
  /** It must be given (`undefined` counts as not given); a function decides from the values given. */
  readonly required?: boolean | ((options: Readonly<Record<string, unknown>>) => boolean);
  /** The setting when the option is not given; without one, `undefined`. */
  readonly default?: unknown;
  /** The option's name when it took seconds, before it was renamed to end in `Ms`. */
  readonly formerlySeconds?: string;
}

/** Every option of a component, by name. */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** The most unknown keys a message names; the rest are counted. */
const MAX_UNKNOWN_LISTED = 10;
/** The most characters of an unknown key a message shows. */
const MAX_KEY_SHOWN = 64;
/** The longest delay `setTimeout` honours; a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** Settings {@link readOptions} made, and the table each was read with. */
const tables = new WeakMap<object, OptionTable>();

/**
 * The one way options become settings. Reads the value of every option in
 * `table` once, checks them all, and returns the settings: a frozen object
 * with every option of `table`, given or its default. Nothing reads `options`
 * again, so a getter cannot pass the check with one value and be used with
 * another. Throws one {@link JustLoginOptionsError} listing
 * every problem, each naming its option in backticks: a key that is not in
 * `table` (with a did-you-mean when a known key differs only in case or by at
 * most two edits, or its new name when it was renamed to end in `Ms`), a
 * required option that is absent or `undefined`, and every given value its
 * rule refuses. An `options` that is not an object is the one problem reported.
 *
 * Settings given again, to a table whose every option they were read with
 * (e.g. a strategy's settings, which hold a client's, given to the client),
 * are returned as they are: they were checked already.
 *
 * @example
 * const settings = readOptions<{ secret: string; maxAgeMs: number }>('CookieStateStore', options, {
 *   secret: { rule: rules.secret(32), required: true },
 *   maxAgeMs: { rule: rules.positiveDurationMs, default: 600_000 },
 * });
 */
export function readOptions<Settings extends object>(
  component: string,
  options: unknown,
  table: OptionTable,
): Readonly<Settings> {
  if (readWith(options, table)) return options as Readonly<Settings>;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new JustLoginOptionsError(component, [`options must be an object, not ${describe(options)}`]);
  }
  const known = Object.keys(table);
  const given: Record<string, unknown> = {};
  for (const key of known) given[key] = (options as Record<string, unknown>)[key];
  const problems: string[] = [];
  const unknown = Object.keys(options).filter((key) => !Object.hasOwn(table, key));
  for (const key of unknown.slice(0, MAX_UNKNOWN_LISTED)) problems.push(notAnOption(key, table));
  if (unknown.length > MAX_UNKNOWN_LISTED) {
    problems.push(`${unknown.length - MAX_UNKNOWN_LISTED} more keys are not options`);
  }
  for (const key of known) {
    const { required } = table[key];
    if (given[key] === undefined && (typeof required === 'function' ? required(given) : required)) {
      problems.push(`\`${key}\` is required`);
    }
  }
  for (const key of known) {
    if (given[key] === undefined) continue;
    const problem = table[key].rule(given[key], given);
    if (problem) problems.push(`\`${key}\` ${problem}`);
  }
  if (problems.length > 0) throw new JustLoginOptionsError(component, problems);
  const settings: Record<string, unknown> = {};
  for (const key of known) settings[key] = given[key] === undefined ? table[key].default : given[key];
  Object.freeze(settings);
  tables.set(settings, table);
  return settings as Readonly<Settings>;
}

/** True when `options` are settings read with every option of `table`, each by the same spec. */
function readWith(options: unknown, table: OptionTable): boolean {
  const read = typeof options === 'object' && options !== null ? tables.get(options) : undefined;
  return read !== undefined && (read === table || Object.keys(table).every((key) => read[key] === table[key]));
}

/** The problem of a key that is not in `table`. */
function notAnOption(key: string, table: OptionTable): string {
  const renamed = Object.keys(table).find((name) => table[name].formerlySeconds === key);
  if (renamed) return `\`${key}\` is not an option: it is now \`${renamed}\`, in milliseconds (seconds × 1000)`;
  const suggestion = closest(key, Object.keys(table));
  return `\`${printable(key)}\` is not an option${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`;
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

/** The rules options share: every duration, boolean or function option of every component takes its rule from here. */
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
  /**
   * A duration that may be none: a whole number of milliseconds from 0 to
   * 2147483647 (the longest timer Node.js honours), e.g. `graceMs`, `skewMs`.
   */
  durationMs: ((value) =>
    Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_TIMER_MS
      ? undefined
      : 'must be a whole number of milliseconds, 0 or more (at most 2147483647)') as OptionRule,
  /** A duration that must pass: a whole number of milliseconds from 1 to 2147483647, e.g. `timeout`, `lockMs`. */
  positiveDurationMs: ((value) =>
    Number.isInteger(value) && (value as number) > 0 && (value as number) <= MAX_TIMER_MS
      ? undefined
      : 'must be a positive whole number of milliseconds (at most 2147483647)') as OptionRule,
  /** A finite number of seconds, 0 or more: only `clockTolerance`, compared with a JWT's times in seconds. */
  seconds: ((value) =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0
      ? undefined
      : 'must be a number of seconds, 0 or more') as OptionRule,
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
