// At sign-out the renewals of the user's refresh token are forgotten: in the refresher's memory, both
// ways along the chain of rotations, and in its coordinator (the Redis coordinator's published result).
import { JustLoginRefresher, type RefreshCoordinator } from '../../lib';
import { RenewalMemory, refreshTokenKey } from '../../lib/renewal/memory';
import type { JustLoginTokenSet } from '../../lib/token-set';

const renewed = (n: number): JustLoginTokenSet => ({
  accessToken: `access-token-${n}-Rv8Kd2`,
  refreshToken: `refresh-token-${n}`,
  tokenType: 'Bearer',
  expiresAt: 1_700_003_600,
});

/** A memory that renewed refresh-token-0 into 1, 1 into 2, 2 into 3. */
function chain(): RenewalMemory {
  const memory = new RenewalMemory(60_000);
  for (const n of [1, 2, 3]) memory.remember(`refresh-token-${n - 1}`, renewed(n));
  return memory;
}

describe('RenewalMemory.forget', () => {
  it('forgets the renewals that led to the refresh token: a spent one no longer gets the signed-out tokens', () => {
    const memory = chain();
    expect(memory.recall('refresh-token-0')).toEqual(renewed(3));
    memory.forget('refresh-token-3');
    for (const n of [0, 1, 2, 3]) expect(memory.recall(`refresh-token-${n}`)).toBeUndefined();
  });

  it('forgets the renewals the refresh token led to, when the session held an older one', () => {
    const memory = chain();
    memory.forget('refresh-token-1');
    for (const n of [0, 1, 2]) expect(memory.recall(`refresh-token-${n}`)).toBeUndefined();
  });

  it('leaves the renewals of other users alone, and keeps remembering afterwards', () => {
    const memory = chain();
    memory.remember('refresh-token-other', renewed(9));
    memory.forget('refresh-token-3');
    expect(memory.recall('refresh-token-other')).toEqual(renewed(9));
    memory.remember('refresh-token-next', renewed(10));
    expect(memory.recall('refresh-token-next')).toEqual(renewed(10));
  });

  it('keeps to its bound when renewals were forgotten before the oldest dropped', () => {
    const memory = new RenewalMemory(60_000, 2);
    memory.remember('refresh-token-a', renewed(1));
    memory.remember('refresh-token-b', renewed(2));
    memory.forget('refresh-token-1');
    memory.remember('refresh-token-c', renewed(3));
    memory.remember('refresh-token-d', renewed(4));
    expect(memory.recall('refresh-token-b')).toBeUndefined();
    expect(memory.recall('refresh-token-c')).toEqual(renewed(3));
    expect(memory.recall('refresh-token-d')).toEqual(renewed(4));
  });
});

describe('JustLoginRefresher.forget', () => {
  it('forgets in its memory and tells its coordinator the SHA-256 of the refresh token', async () => {
    const forgotten: string[] = [];
    const coordinator: RefreshCoordinator = {
      run: (_key, task) => task(),
      forget: (key) => {
        forgotten.push(key);
        return Promise.resolve();
      },
    };
    const refresher = new JustLoginRefresher({ clientID: 'client-abc', clientSecret: 'secret-xyz', coordinator });
    await refresher.forget('refresh-token-3');
    expect(forgotten).toEqual([refreshTokenKey('refresh-token-3')]);
    await refresher.forget('');
    expect(forgotten).toHaveLength(1);
  });

  it('works with a coordinator that cannot forget', async () => {
    const refresher = new JustLoginRefresher({
      clientID: 'client-abc',
      clientSecret: 'secret-xyz',
      coordinator: { run: (_key, task) => task() },
    });
    await expect(refresher.forget('refresh-token-3')).resolves.toBeUndefined();
  });
});
