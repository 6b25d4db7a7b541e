import { isExpired, toTokenSet, type JustLoginTokenParams } from '../lib/token-set';

const NOW = 1_700_000_000_000;
const NOW_SECONDS = NOW / 1000;

describe('toTokenSet: expires_in', () => {
  const known: [string, unknown, number][] = [
    ['a number', 3600, 3600],
    ['zero', 0, 0],
    ['a fraction, floored', 59.9, 59],
    ['a string of digits', '3600', 3600],
    ['a string of digits with leading zeros', '0030', 30],
    ['exactly 24 h', 86_400, 86_400],
    ['more than 24 h, capped', 86_401, 86_400],
    ['1e12, capped', 1e12, 86_400],
    ['a long string of digits, capped', '99999999999999999999999', 86_400],
    ['400 digits, capped', '9'.repeat(400), 86_400],
  ];
  it.each(known)('%s (%p) gives expiresIn %p', (_name, expiresIn, seconds) => {
    const tokens = toTokenSet('access', 'refresh', { expires_in: expiresIn } as JustLoginTokenParams, NOW);
    expect(tokens.expiresIn).toBe(seconds);
    expect(tokens.expiresAt).toBe(NOW_SECONDS + seconds);
  });

  const unknown: [string, unknown][] = [
    ['absent', undefined],
    ['null', null],
    ['an empty string', ''],
    ['a blank string', ' '],
    ['an empty array', []],
    ['an array of one number', [3600]],
    ['true', true],
    ['false', false],
    ['an object', {}],
    ['NaN', Number.NaN],
    ['Infinity', Infinity],
    ['a negative number', -1],
    ['negative zero as a string', '-0'],
    ['a string with trailing letters', '12abc'],
    ['a decimal string', '12.5'],
    ['a hexadecimal string', '0x10'],
    ['an exponent string', '1e3'],
    ['a string with spaces', ' 60 '],
  ];
  it.each(unknown)('%s means the lifetime is unknown', (_name, expiresIn) => {
    const tokens = toTokenSet('access', 'refresh', { expires_in: expiresIn } as JustLoginTokenParams, NOW);
    expect(tokens).not.toHaveProperty('expiresIn');
    expect(tokens).not.toHaveProperty('expiresAt');
    expect(isExpired(tokens, 60_000, NOW)).toBe(false);
  });

  it('negative zero counts as zero', () => {
    expect(Object.is(toTokenSet('access', undefined, { expires_in: -0 }, NOW).expiresIn, 0)).toBe(true);
  });
});

describe('isExpired', () => {
  const expiringIn = (seconds: number) => toTokenSet('access', 'refresh', { expires_in: seconds }, NOW);

  it('takes its skew in milliseconds, as every duration the package takes (default 60 000)', () => {
    expect(isExpired(expiringIn(30), 10_000, NOW)).toBe(false);
    expect(isExpired(expiringIn(30), 30_000, NOW)).toBe(true);
    expect(isExpired(expiringIn(30), undefined, NOW)).toBe(true);
    expect(isExpired(expiringIn(90), undefined, NOW)).toBe(false);
    expect(isExpired(expiringIn(30), 0, NOW)).toBe(false);
    expect(isExpired(expiringIn(0), 0, NOW)).toBe(true);
  });
});
