import { hkdfSync } from 'node:crypto';
import { inspect } from 'node:util';
import { JsonSealer, TokenSealer } from '../lib/sealed-tokens';
import type { JustLoginTokenSet } from '../lib/token-set';

const SECRET = 'a-sealing-secret-of-at-least-32-characters';
const TOKENS: JustLoginTokenSet = {
  accessToken: 'access-token-in-clear',
  refreshToken: 'refresh-token-in-clear',
  tokenType: 'Bearer',
  expiresAt: 1_900_000_000,
};

describe('TokenSealer', () => {
  it('opens what it sealed, in another instance with the same secret, and shows no token while sealed', () => {
    const sealed = new TokenSealer(SECRET).seal(TOKENS, 'result:abc');
    expect(sealed).toMatch(/^[\w-]+$/);
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('token-in-clear');
    expect(new TokenSealer(Buffer.from(SECRET)).open(sealed, 'result:abc')).toEqual(TOKENS);
  });

  it('opens nothing sealed under another context or another secret', () => {
    const sealed = new TokenSealer(SECRET).seal(TOKENS, 'result:abc');
    expect(new TokenSealer(SECRET).open(sealed, 'result:abd')).toBeUndefined();
    expect(new TokenSealer(`${SECRET}!`).open(sealed, 'result:abc')).toBeUndefined();
  });
});

describe('JsonSealer', () => {
  const value = { h: 'handle', s: { returnTo: '/reports' } };

  it('opens nothing sealed for another use (HKDF info) of the same secret', () => {
    const sealed = new JsonSealer(SECRET, 'use one').seal(value, 'ctx');
    expect(new JsonSealer(SECRET, 'use one').open(sealed, 'ctx')).toEqual(value);
    expect(new JsonSealer(SECRET, 'use two').open(sealed, 'ctx')).toBeUndefined();
    expect(new TokenSealer(SECRET).open(sealed, 'ctx')).toBeUndefined();
  });

  it('opens nothing with any one bit changed, any byte cut off, or bytes added', () => {
    const sealer = new JsonSealer<typeof value>(SECRET, 'use');
    const bytes = Buffer.from(sealer.seal(value, 'ctx'), 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const altered = Buffer.from(bytes);
        altered[i] ^= bit;
        expect(sealer.open(altered.toString('base64url'), 'ctx')).toBeUndefined();
      }
    }
    for (let length = 0; length < bytes.length; length++) {
      expect(sealer.open(bytes.subarray(0, length).toString('base64url'), 'ctx')).toBeUndefined();
    }
    expect(sealer.open(Buffer.concat([bytes, Buffer.from([0])]).toString('base64url'), 'ctx')).toBeUndefined();
  });

  it.each([
    ['an empty string', ''],
    ['a dot', '.'],
    ['text that is not base64url', 'not base64 at all!'],
    ['10,000 bytes of nothing sealed', 'a'.repeat(10_000)],
  ])('opens nothing from %s', (_case, sealed) => {
    expect(new JsonSealer(SECRET, 'use').open(sealed, 'ctx')).toBeUndefined();
  });

  it('keeps the derived key out of util.inspect and JSON.stringify', () => {
    const sealer = new JsonSealer(SECRET, 'use');
    const key = Buffer.from(hkdfSync('sha256', SECRET, Buffer.alloc(0), 'use', 32));
    const text = `${inspect(sealer, { depth: Infinity, showHidden: true })} ${JSON.stringify(sealer)}`;
    expect(text).not.toMatch(/Buffer|Uint8Array|data/);
    expect(text).not.toContain(key.toString('hex').slice(0, 16));
  });
});
