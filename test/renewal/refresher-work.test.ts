import * as crypto from 'node:crypto';
import { JustLoginRefresher } from '../../lib/renewal/refresher';

jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof crypto>('node:crypto');
  return {
    ...actual,
    createHash: jest.fn(actual.createHash),
    createHmac: jest.fn(actual.createHmac),
    hkdfSync: jest.fn(actual.hkdfSync),
    hash: jest.fn(actual.hash),
  };
});
import { fakeIdToken, idTokenClaims } from '../support/id-token';
import { TokenServer, tokenResponse } from '../support/token-server';

// What one renewal computes: the refresh token's SHA-256 key once (for the single flight and the
// grace-window memory alike), the memory's key with one more SHA-256, not an HMAC or a fresh HKDF, and
// the renewed refresh token's SHA-256 key, the memory's way back from it for a sign-out.
let server: TokenServer;
beforeEach(async () => {
  server = await TokenServer.start();
  server.reply(() => ({
    body: tokenResponse({
      refresh_token: `rotated-${server.requests.length}`,
      id_token: fakeIdToken(idTokenClaims('c')),
    }),
  }));
});
afterEach(() => server.stop());

it('hashes the refresh token once, derives the memory key with one more digest, and hashes the renewed token once', async () => {
  const refresher = new JustLoginRefresher({ clientID: 'c', clientSecret: 's', tokenURL: server.url });
  await refresher.refresh({ refreshToken: 'warm-up' });
  const [hashes, hmacs, hkdf, digests] = [
    crypto.createHash,
    crypto.createHmac,
    crypto.hkdfSync,
    crypto.hash,
  ] as jest.Mock[];
  for (const mock of [hashes, hmacs, hkdf, digests]) mock.mockClear();
  const renewed = await refresher.refresh({ refreshToken: 'spent-once', accessToken: 'at' });
  expect(renewed.refreshToken).toBe('rotated-2');
  expect(digests.mock.calls.map((call: unknown[]) => call[2])).toEqual(['hex', 'buffer', 'hex']);
  for (const mock of [hashes, hmacs, hkdf]) expect(mock).not.toHaveBeenCalled();
  // The spent refresh token is still answered from the memory, with no request.
  expect(await refresher.refresh({ refreshToken: 'spent-once' })).toEqual(renewed);
  expect(server.requests).toHaveLength(2);
});
