import { JustLoginRefresher, type JustLoginTokenSet, type RefreshCoordinator } from '../../lib';
import { rotatingTokens } from '../support/rotating-tokens';
import { TokenServer, tokenResponse } from '../support/token-server';

// A renewal that cannot be done right now (JustLogin or the coordinator unavailable) must not hold
// up a request whose access token is still valid: ensureFresh hands back the tokens it was given,
// and the next call after recovery renews once. Only tokens that expired fail, with a retryable error.
const FIRST_REFRESH = 'refresh-token-first-Sv3';
let server: TokenServer;

beforeEach(async () => {
  server = await TokenServer.start();
});
afterEach(async () => {
  await server.stop();
});

const options = () => ({ clientID: 'client-id', clientSecret: 'client-secret-Sv9', tokenURL: server.url });

/** Tokens whose access token expires in `seconds` (negative: expired that long ago). */
function tokensExpiringIn(seconds: number): JustLoginTokenSet {
  return {
    accessToken: 'access-token-current-Sv1',
    refreshToken: FIRST_REFRESH,
    tokenType: 'Bearer',
    expiresAt: Math.floor(Date.now() / 1000) + seconds,
  };
}

it('while JustLogin answers 503, tokens that are due but still valid come back as they are; after recovery one renewal', async () => {
  const refresher = new JustLoginRefresher(options());
  const tokens = tokensExpiringIn(30); // due: within the default minute before expiry
  server.reply({ status: 503, body: { error: 'temporarily_unavailable' } });

  await expect(refresher.ensureFresh(tokens)).resolves.toBe(tokens);
  await expect(refresher.ensureFresh(tokens)).resolves.toBe(tokens);
  expect(server.requests).toHaveLength(2); // each call tried: nothing was spent

  const rotation = rotatingTokens(FIRST_REFRESH);
  server.reply(rotation.responder);
  const renewed = await Promise.all([refresher.ensureFresh(tokens), refresher.ensureFresh(tokens)]);
  expect(renewed[0]).toMatchObject({ refreshToken: 'refresh-token-rotated-1' });
  expect(renewed[1]).toEqual(renewed[0]);
  expect(rotation).toMatchObject({ renewals: 1, refused: 0 });
});

it('while JustLogin is unreachable, expired tokens fail with a retryable error that keeps the sign-in', async () => {
  const { origin } = server;
  await server.stop();
  const unreachable = new JustLoginRefresher({ ...options(), tokenURL: `${origin}/v1/auth/connect/token` });
  server = await TokenServer.start(); // on another port: `origin` refuses connections

  await expect(unreachable.ensureFresh(tokensExpiringIn(30))).resolves.toMatchObject({ refreshToken: FIRST_REFRESH });
  await expect(unreachable.ensureFresh(tokensExpiringIn(-5))).rejects.toMatchObject({
    code: 'ECONNREFUSED',
    retryable: true,
    reauthenticate: false,
  });
});

it('tells the coordinator whether the renewal can wait: only while the access token is still valid', async () => {
  const told: Array<{ canWait?: boolean } | undefined> = [];
  const coordinator: RefreshCoordinator = {
    run: (_key, task, runOptions) => {
      told.push(runOptions);
      return task();
    },
  };
  const refresher = new JustLoginRefresher({ ...options(), coordinator });
  server.reply({ body: tokenResponse({ refresh_token: 'refresh-token-next-Sv5' }) });
  await refresher.ensureFresh({ ...tokensExpiringIn(30), refreshToken: 'refresh-token-a-Sv6' });
  await refresher.ensureFresh({ ...tokensExpiringIn(-5), refreshToken: 'refresh-token-b-Sv7' });
  await refresher.refresh({ refreshToken: 'refresh-token-c-Sv8' });
  expect(told).toEqual([{ canWait: true }, { canWait: false }, { canWait: false }]);
});

it('a failure that is not retryable still fails, valid access token or not', async () => {
  const refresher = new JustLoginRefresher(options());
  server.reply({ status: 400, body: { error: 'invalid_grant' } });
  await expect(refresher.ensureFresh(tokensExpiringIn(30))).rejects.toMatchObject({
    code: 'invalid_grant',
    reauthenticate: true,
  });
});
