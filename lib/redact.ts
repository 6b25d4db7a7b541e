/** Secrets shorter than this are left alone: redacting them would mangle ordinary words. */
const MIN_SECRET_LENGTH = 8;

/**
 * Replaces each secret in `text` with `[redacted]`, however it was encoded on
 * the way back: as is, percent-encoded (either hex case, also twice), form-encoded
 * (`+` for a space), or JSON-escaped (`\"`, `\/`, `\u002B`, either hex case).
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  const patterns = secrets
    .filter((secret): secret is string => typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH)
    .map((secret) => Array.from(secret, anyEncodingOf).join(''));
  if (patterns.length === 0) return text;
  return text.replace(new RegExp(patterns.join('|'), 'g'), '[redacted]');
}

/** JSON's two-character escapes of control characters (`\n` for a line feed, …). */
const JSON_SHORT_ESCAPES: Partial<Record<string, string>> = { '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't' };

/** A regular expression matching one character in any of its encodings. */
function anyEncodingOf(char: string): string {
  // None of these encodings changes a letter or digit; matching them as they are keeps the expression small.
  if (/^[A-Za-z0-9]$/.test(char)) return char;
  const bytes = Array.from(Buffer.from(char, 'utf8'), (byte) => `%(?:25)*${hex(byte, 2)}`).join('');
  const units = Array.from({ length: char.length }, (_, i) => `\\\\+u${hex(char.charCodeAt(i), 4)}`).join('');
  const alternatives = [`\\\\*${char.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')}`, bytes, units];
  if (char === ' ') alternatives.push('\\+');
  const short = JSON_SHORT_ESCAPES[char];
  if (short) alternatives.push(`\\\\+${short}`);
  return `(?:${alternatives.join('|')})`;
}

/** `value` as hexadecimal digits of `width`, each letter matching either case. */
function hex(value: number, width: number): string {
  return value
    .toString(16)
    .padStart(width, '0')
    .replace(/[a-f]/g, (letter) => `[${letter}${letter.toUpperCase()}]`);
}
