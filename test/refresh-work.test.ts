import * as crypto from 'node:crypto';
import { JustLoginRefresher } from '../lib/refresh';

jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof crypto>('node:crypto');
  return {
    ...actual,
    createHash: jest.fn(actual.createHash),
    createHmac: jest.fn(actual.createHmac),
    hkdfSync: jest.fn(actual.hkdfSync),
  };
});
import { fakeIdToken, idTokenClaims } from './support/id-token';
import { TokenServer, tokenResponse } from './support/token-server';

// What one renewal computes: the refresh token's SHA-256 key once (for the single flight and the
// grace-window memory alike), and the memory's key with one HMAC, not a fresh HKDF each time.
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

it('hashes the refresh token once and derives the memory key once per renewal', async () => {
  const refresher = new JustLoginRefresher({ clientID: 'c', clientSecret: 's', tokenURL: server.url });
  await refresher.refresh({ refreshToken: 'warm-up' });
  const [hashes, hmacs, hkdf] = [crypto.createHash, crypto.createHmac, crypto.hkdfSync] as jest.Mock[];
  for (const mock of [hashes, hmacs, hkdf]) mock.mockClear();
  const renewed = await refresher.refresh({ refreshToken: 'spent-once', accessToken: 'at' });
  expect(renewed.refreshToken).toBe('rotated-2');
  expect(hashes).toHaveBeenCalledTimes(1);
  expect(hkdf).not.toHaveBeenCalled();
  expect(hmacs).toHaveBeenCalledTimes(1);
  // The spent refresh token is still answered from the memory, with no request.
  expect(await refresher.refresh({ refreshToken: 'spent-once' })).toEqual(renewed);
  expect(server.requests).toHaveLength(2);
});
