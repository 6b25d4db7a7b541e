import fc from 'fast-check';
import { redact } from '../lib/redact';

// Redaction of secrets from text JustLogin sent back. The token endpoint's tests check what reaches an error;
// these check the function itself: its encodings, a text cut inside a secret, and secrets that a
// backtracking expression could not match in linear time.

const SECRET = 'Zq8+xW2/vK=é~ *(x)"\\q';

/** Every way a secret may come back inside a text, JSON and percent-encoding once and twice. */
function encodings(value: string): string[] {
  const json = (text: string) => JSON.stringify(text).slice(1, -1);
  const unicode = value.replace(/[^A-Za-z0-9]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [
    value,
    encodeURIComponent(value),
    encodeURIComponent(encodeURIComponent(value)),
    new URLSearchParams({ v: value }).toString().slice(2),
    json(value),
    json(json(value)),
    unicode,
    json(unicode),
  ];
}

it.each(encodings(SECRET).map((form) => [form]))('redacts the secret echoed as %j', (form) => {
  expect(redact(`bad value ${form}.`, [SECRET])).toBe('bad value [redacted].');
});

it('redacts a character outside the BMP, as is or escaped as a surrogate pair (either hex case, also twice)', () => {
  const secret = 'key-😀-emoji';
  for (const form of [secret, 'key-\\uD83D\\uDE00-emoji', 'key-\\ud83d\\\\ude00-emoji', 'key-%F0%9F%98%80-emoji']) {
    expect(redact(`<${form}>`, [secret])).toBe('<[redacted]>');
  }
});

it('leaves secrets shorter than 8 characters, and text without a secret, as they are', () => {
  expect(redact('the code abc/123 is wrong', ['abc/123', undefined])).toBe('the code abc/123 is wrong');
  expect(redact('nothing secret here \\u0041 %41 +', [SECRET])).toBe('nothing secret here \\u0041 %41 +');
});

it('redacts overlapping and adjacent secrets as one', () => {
  expect(redact('a 12345678abcdefgh b', ['12345678', '5678abcd', 'abcdefgh'])).toBe('a [redacted] b');
});

describe('a text cut from a longer one', () => {
  it('loses the beginning of a secret that went on past the cut', () => {
    const text = `error at ${SECRET}`.slice(0, 14);
    expect(text).toBe('error at Zq8+x');
    expect(redact(text, [SECRET], true)).toBe('error at [redacted]');
  });

  it('keeps what could not be a secret, and an uncut text whole', () => {
    expect(redact('error at Zq8+x', [SECRET], false)).toBe('error at Zq8+x');
    expect(redact('error at Zq8+!', [SECRET], true)).toBe('error at Zq8+!');
  });

  it('never shows any beginning of a secret, in any encoding, wherever the cut falls', () => {
    const encode = fc.constantFrom(
      (s: string) => s,
      (s: string) => encodeURIComponent(s),
      (s: string) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
      (s: string) => new URLSearchParams({ s }).toString().slice(2),
      (s: string) => JSON.stringify(s).slice(1, -1),
      (s: string) => JSON.stringify(s).slice(1, -1).replace(/\//g, '\\/'),
    );
    const secret = fc.string({ minLength: 8, maxLength: 40 }).filter((value) => !value.includes('#'));
    fc.assert(
      fc.property(secret, encode, fc.nat(), (value, encoding, at) => {
        const form = encoding(value);
        const kept = 1 + (at % (form.length - 1));
        const before = '#'.repeat(10);
        // A backslash that escapes the secret's first character may stay: it is not part of the secret.
        expect(redact(`${before}${form.slice(0, kept)}`, [value], true)).toMatch(/^#{10}\\?\[redacted\]$/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('secrets a backtracking expression would take exponential or quadratic time on', () => {
  it('a secret of backslashes in a text of backslashes', () => {
    const secret = '\\'.repeat(2048);
    const text = `${'\\'.repeat(299)}x`;
    expect(redact(text, [secret])).toBe(text);
    expect(redact(text.slice(0, 299), [secret], true)).toBe('[redacted]');
  });

  it('a secret starting with a slash in a text of backslashes', () => {
    const text = '\\'.repeat(300);
    expect(redact(text, ['/secret-value'])).toBe(text);
    expect(redact(`${text}\\/secret-value`, ['/secret-value'])).toBe(`${text}\\[redacted]`);
  });

  it('a secret of percent signs in a text of %25', () => {
    const secret = '%'.repeat(40);
    expect(redact('%25'.repeat(100), [secret])).toBe('[redacted]');
    expect(redact(`${'%25'.repeat(39)}!`, [secret])).toBe(`${'%25'.repeat(39)}!`);
  });
});
