import { RenewalMemory } from '../../lib/renewal/memory';
import type { JustLoginTokenSet } from '../../lib/token-set';

// The memory drops its oldest renewals through its own list of keys in the order remembered, which
// it compacts from time to time: across many compactions, exactly the newest maxEntries renewals
// within graceMs are kept, whether they go by count or by age.
const renewed = (n: number): JustLoginTokenSet => ({
  accessToken: `access-${n}`,
  refreshToken: `rotated-${n}`,
  tokenType: 'Bearer',
});

let now = 1_700_000_000_000;
beforeEach(() => {
  now = 1_700_000_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
});
afterEach(() => jest.restoreAllMocks());

it('keeps exactly the newest maxEntries renewals across many compactions of its order', () => {
  const memory = new RenewalMemory(60_000, 5);
  for (let n = 0; n < 6000; n++) memory.remember(`spent-${n}`, renewed(n));
  const kept = [5990, 5994, 5995, 5996, 5997, 5998, 5999].map((n) => memory.recall(`spent-${n}`)?.accessToken);
  expect(kept).toEqual([
    undefined,
    undefined,
    'access-5995',
    'access-5996',
    'access-5997',
    'access-5998',
    'access-5999',
  ]);
});

it('drops renewals by age in the order remembered, across compactions, and starts over when empty', () => {
  const memory = new RenewalMemory(1000, 100_000);
  for (let n = 0; n < 3000; n++) {
    memory.remember(`spent-${n}`, renewed(n));
    now += 1;
  }
  // Remembered at t0 + n ms, each for 1000 ms: at t0 + 3000 ms, those from n = 2001 on are left.
  expect(memory.recall('spent-2000')).toBeUndefined();
  expect(memory.recall('spent-2001')?.accessToken).toBe('access-2001');
  expect(memory.recall('spent-2999')?.accessToken).toBe('access-2999');
  now += 1000;
  expect(memory.recall('spent-2999')).toBeUndefined();
  memory.remember('spent-again', renewed(1));
  expect(memory.recall('spent-again')?.accessToken).toBe('access-1');
});
