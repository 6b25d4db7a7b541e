import { randomToken } from '../../lib/sign-in/state-store';

describe('randomToken', () => {
  it('gives distinct URL-safe values of the entropy asked for', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const handle = randomToken();
      const nonce = randomToken(32);
      expect(handle).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
      seen.add(handle).add(nonce);
    }
    expect(seen.size).toBe(10_000);
  });
});
