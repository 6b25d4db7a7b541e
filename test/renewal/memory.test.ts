import { inspect } from 'node:util';
import { RenewalMemory, refreshTokenKey } from '../../lib/renewal/memory';
import type { JustLoginTokenSet } from '../../lib/token-set';

const renewed = (n: number | string): JustLoginTokenSet => ({
  accessToken: `access-token-${n}-Rv8Kd2`,
  refreshToken: `refresh-token-${n}-Qw4Zx7`,
  idToken: `id-token-${n}-Lp3Mn6`,
  tokenType: 'Bearer',
  expiresIn: 3600,
  expiresAt: 1_700_003_600,
});

let now = 1_700_000_000_000;
let clock: jest.SpyInstance<number, []>;
beforeEach(() => {
  now = 1_700_000_000_000;
  clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
});
afterEach(() => clock.mockRestore());

it('recalls a renewal by the refresh token it spent, for graceMs', () => {
  const memory = new RenewalMemory(1_000);
  memory.remember('refresh-token-spent', renewed(1));

  expect(memory.recall('refresh-token-spent')).toEqual(renewed(1));
  expect(memory.recall('refresh-token-other')).toBeUndefined();
  now += 999;
  expect(memory.recall('refresh-token-spent')).toEqual(renewed(1));
  now += 1;
  expect(memory.recall('refresh-token-spent')).toBeUndefined();
});

it('remembers nothing when the refresh token was not replaced (it can be spent again)', () => {
  const memory = new RenewalMemory(1_000);
  memory.remember('refresh-token-kept', { ...renewed(1), refreshToken: 'refresh-token-kept' });
  memory.remember('refresh-token-none', { ...renewed(1), refreshToken: undefined });

  expect(memory.recall('refresh-token-kept')).toBeUndefined();
  expect(memory.recall('refresh-token-none')).toBeUndefined();
});

it('keeps the first renewal of a refresh token', () => {
  const memory = new RenewalMemory(1_000);
  memory.remember('refresh-token-spent', renewed(1));
  memory.remember('refresh-token-spent', renewed(2));

  expect(memory.recall('refresh-token-spent')).toEqual(renewed(1));
});

it('follows the chain to the newest renewal, each link within its own window', () => {
  const memory = new RenewalMemory(1_000);
  memory.remember('refresh-token-0', renewed(1));
  now += 500;
  memory.remember(renewed(1).refreshToken!, renewed(2));
  memory.remember(renewed(2).refreshToken!, renewed(3));

  expect(memory.recall('refresh-token-0')).toEqual(renewed(3));
  expect(memory.recall(renewed(2).refreshToken!)).toEqual(renewed(3));
  now += 500; // the first link has expired, the others not
  expect(memory.recall('refresh-token-0')).toBeUndefined();
  expect(memory.recall(renewed(1).refreshToken!)).toEqual(renewed(3));
});

it('follows a long chain only so far, and never loops', () => {
  const memory = new RenewalMemory(1_000);
  const token = (n: number) => `refresh-token-${n}-Qw4Zx7`;
  memory.remember('refresh-token-start', renewed(0));
  for (let n = 0; n < 100; n += 1) memory.remember(token(n), renewed(n + 1));
  memory.remember(token(100), { ...renewed(101), refreshToken: token(0) }); // back to an earlier one

  const newest = memory.recall('refresh-token-start');
  expect(newest?.refreshToken).toMatch(/^refresh-token-\d+-Qw4Zx7$/);
});

it('holds at most 10 000 renewals, dropping the oldest first', () => {
  const memory = new RenewalMemory(60_000);
  for (let n = 0; n <= 10_000; n += 1) memory.remember(`spent-${n}`, renewed(`n${n}`));

  expect(memory.recall('spent-0')).toBeUndefined();
  expect(memory.recall('spent-1')).toEqual(renewed('n1'));
  expect(memory.recall('spent-10000')).toEqual(renewed('n10000'));
});

it('holds at most maxEntries renewals when given', () => {
  const memory = new RenewalMemory(60_000, 3);
  for (const n of [1, 2, 3, 4]) memory.remember(`spent-${n}`, renewed(n));

  expect([1, 2, 3, 4].map((n) => memory.recall(`spent-${n}`)?.accessToken)).toEqual([
    undefined,
    renewed(2).accessToken,
    renewed(3).accessToken,
    renewed(4).accessToken,
  ]);
});

it('stores no token in clear text: keys are SHA-256 digests, values are encrypted', () => {
  const memory = new RenewalMemory(60_000);
  const set = jest.spyOn(Map.prototype, 'set');
  let stored: unknown[][];
  try {
    memory.remember('refresh-token-spent-Xy1', renewed(1));
  } finally {
    stored = set.mock.calls;
    set.mockRestore();
  }

  // The renewal, and the way back from the refresh token it gave: digests both.
  expect(stored).toHaveLength(2);
  expect(stored[1]).toEqual([refreshTokenKey(renewed(1).refreshToken!), refreshTokenKey('refresh-token-spent-Xy1')]);
  const [key, value] = stored[0];
  expect(key).toBe(refreshTokenKey('refresh-token-spent-Xy1'));
  expect(key).toMatch(/^[0-9a-f]{64}$/);
  const text = inspect(value, { depth: Infinity, showHidden: true, maxArrayLength: Infinity });
  const bytes = Object.values(value as Record<string, unknown>).filter((part) => Buffer.isBuffer(part));
  expect(bytes.length).toBeGreaterThan(0);
  const forms = bytes.flatMap((buffer) => [
    buffer.toString('latin1'),
    buffer.toString('base64'),
    buffer.toString('hex'),
  ]);
  for (const secret of ['refresh-token-spent-Xy1', ...Object.values(renewed(1)).filter((v) => typeof v === 'string')]) {
    if (secret === 'Bearer') continue;
    for (const form of [text, ...forms]) expect(form).not.toContain(secret);
    for (const buffer of bytes) expect(buffer.includes(Buffer.from(secret))).toBe(false);
  }
});
