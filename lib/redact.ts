/** Secrets shorter than this are left alone: redacting them would mangle ordinary words. */
const MIN_SECRET_LENGTH = 8;

/** The longest escape that stands for one character (`\uD83D\uDE00`). */
const LONGEST_ESCAPE = 12;

/** The beginning of an escape, or half a surrogate pair, that a cut text may end with. */
const UNFINISHED =
  /^(?:\\+(?:u[0-9a-fA-F]{0,3}|u[dD][89abAB][0-9a-fA-F]{2}(?:\\+(?:u[0-9a-fA-F]{0,3})?)?)?|%[0-9a-fA-F]*|[\uD800-\uDBFF])$/;

/** One way to read the text at a position: `length` characters standing for `bytes` (UTF-8; none for an escaping backslash). */
interface Reading {
  length: number;
  bytes: Uint8Array;
}

/**
 * Replaces each secret in `text` with `[redacted]`, however it was encoded on
 * the way back: as is, percent-encoded (either hex case, also twice), form-encoded
 * (`+` for a space), or JSON-escaped (`\"`, `\/`, `\u002B`, either hex case, also twice).
 * `cut`: `text` is the beginning of a longer text, so a secret that reaches its
 * end may go on past it; what `text` holds of it is redacted too.
 *
 * Linear in `text`: one pass reads each position once for every beginning of a
 * secret that reaches it, with no backtracking. Cut the text to what will be
 * kept before calling it.
 */
export function redact(text: string, secrets: readonly (string | undefined)[], cut = false): string {
  const wanted = secrets
    .filter((secret): secret is string => typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH)
    .map((secret) => Buffer.from(secret, 'utf8'));
  if (wanted.length === 0) return text;
  const readings = Array.from({ length: text.length }, (_, at) => readingsAt(text, at));
  const spans = wanted.flatMap((secret) => spansOf(text, secret, readings, cut));
  return withSpansRedacted(text, spans);
}

/**
 * Where `secret` stands in the text, as [start, end) spans: the text is read
 * left to right, keeping for each position how many of the secret's bytes each
 * reading so far has matched, and from where (the earliest start suffices).
 */
function spansOf(text: string, secret: Uint8Array, readings: readonly Reading[][], cut: boolean): [number, number][] {
  const end = text.length;
  const spans: [number, number][] = [];
  const reached = Array.from({ length: end + 1 }, () => new Map<number, number>());
  const reach = (at: number, matched: number, start: number) => {
    const earliest = reached[at].get(matched);
    if (earliest === undefined || start < earliest) reached[at].set(matched, start);
  };
  for (let at = 0; at <= end; at += 1) {
    if (!reached[at].has(0)) reached[at].set(0, at);
    // What the text holds of a secret, or of an escape, that went on past the cut.
    const unfinished = cut && end - at <= LONGEST_ESCAPE && UNFINISHED.test(text.slice(at));
    reached[at].forEach((start, matched) => {
      if (unfinished || (cut && matched > 0 && at === end)) spans.push([start, end]);
      for (const { length, bytes } of readings[at] ?? []) {
        // A secret starts at the escaped character, not at the backslash before it.
        if (bytes.length === 0 && matched === 0) continue;
        if (!continues(secret, matched, bytes)) continue;
        const next = matched + bytes.length;
        if (next === secret.length) spans.push([start, at + length]);
        else reach(at + length, next, start);
      }
    });
  }
  return spans;
}

/** True when `bytes` are the secret's next bytes after `matched` of them. */
function continues(secret: Uint8Array, matched: number, bytes: Uint8Array): boolean {
  if (matched + bytes.length > secret.length) return false;
  for (let i = 0; i < bytes.length; i += 1) if (secret[matched + i] !== bytes[i]) return false;
  return true;
}

/** `text` with each span, or run of overlapping spans, replaced with `[redacted]`. */
function withSpansRedacted(text: string, spans: [number, number][]): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let done = 0;
  let [start, stop] = spans[0];
  for (const [from, to] of spans) {
    if (from > stop) {
      out += `${text.slice(done, start)}[redacted]`;
      done = stop;
      start = from;
    }
    stop = Math.max(stop, to);
  }
  return `${out}${text.slice(done, start)}[redacted]${text.slice(stop)}`;
}

/** JSON's two-character escapes of control characters (`\n` for a line feed, …). */
const JSON_SHORT_ESCAPES: Partial<Record<string, number>> = { b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09 };

/** `\uXXXX`, and a second one when the first is a high surrogate (however many backslashes it has). */
const UNICODE_ESCAPE = /\\u([0-9a-fA-F]{4})(?:\\+u([dD][c-fC-F][0-9a-fA-F]{2}))?/y;

const HEX_PAIR = /^[0-9a-fA-F]{2}$/;

const NOTHING = new Uint8Array(0);

/** Every way the text at `at` may stand for the next character of a secret. */
function readingsAt(text: string, at: number): Reading[] {
  const char = text[at];
  const code = text.codePointAt(at) as number;
  const length = code > 0xffff ? 2 : 1;
  const readings: Reading[] = [{ length, bytes: Buffer.from(text.slice(at, at + length), 'utf8') }];
  if (char === '+') readings.push({ length: 1, bytes: Buffer.from(' ') });
  if (char === '\\') {
    readings.push({ length: 1, bytes: NOTHING }); // a backslash that escapes what follows
    const short = JSON_SHORT_ESCAPES[text[at + 1]];
    if (short !== undefined) readings.push({ length: 2, bytes: Uint8Array.of(short) });
    UNICODE_ESCAPE.lastIndex = at;
    const unicode = UNICODE_ESCAPE.exec(text);
    if (unicode) {
      const high = parseInt(unicode[1], 16);
      const pair = unicode[2] !== undefined && high >= 0xd800 && high <= 0xdbff;
      const units = pair ? [high, parseInt(unicode[2], 16)] : [high];
      readings.push({
        length: pair ? unicode[0].length : 6,
        bytes: Buffer.from(String.fromCharCode(...units), 'utf8'),
      });
    }
  }
  if (char === '%') {
    // `%XX`, or `%25` repeated before it (percent-encoded again).
    for (let next = at + 1; HEX_PAIR.test(text.slice(next, next + 2)); next += 2) {
      readings.push({ length: next + 2 - at, bytes: Uint8Array.of(parseInt(text.slice(next, next + 2), 16)) });
      if (text.slice(next, next + 2) !== '25') break;
    }
  }
  return readings;
}
