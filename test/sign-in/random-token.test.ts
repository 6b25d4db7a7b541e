import { randomToken } from '../../lib/sign-in/state-store';

describe('randomToken', () => {
  it('gives distinct URL-safe values of the entropy asked for, across many refills of its pool', () => {
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

  it('gives values longer than its pool too', () => {
    expect(Buffer.from(randomToken(5000), 'base64url')).toHaveLength(5000);
  });

  it('draws no all-zero value, as bytes handed out are wiped from the pool', () => {
    const zeros = (bytes: number) => Buffer.alloc(bytes).toString('base64url');
    for (let i = 0; i < 2000; i++) expect(randomToken(7)).not.toBe(zeros(7));
  });
});
