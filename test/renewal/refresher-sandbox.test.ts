// JustLoginRefresher against the sandbox identity server (a real OpenID Connect provider
// that rotates refresh tokens and refuses a spent one with invalid_grant).
import { JustLoginRefresher } from '../../lib/renewal/refresher';
import { JustLoginStrategy } from '../../lib/sign-in/strategy';
import { decodeIdToken } from '../../lib/client/id-token';
import { toTokenSet, type JustLoginTokenSet } from '../../lib/token-set';
import { DEMO_USERS, startSandbox, type RunningSandbox } from '../support/sandbox';
import { SANDBOX_REDIRECT_URI, signInForTokens } from '../support/sandbox-tokens';

const [alice] = DEMO_USERS;

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

/** Signs alice in with PKCE and redeems the code as the strategy would; returns her tokens, already expired. */
async function signedInTokens(): Promise<JustLoginTokenSet> {
  const body = await signInForTokens(sandbox, alice);
  return {
    ...toTokenSet(body.access_token, body.refresh_token, { ...body }),
    expiresAt: Math.floor(Date.now() / 1000) - 1,
  };
}

function refresherFor(): JustLoginRefresher {
  const strategy = new JustLoginStrategy(
    {
      clientID: sandbox.clientID,
      clientSecret: sandbox.clientSecret,
      callbackURL: SANDBOX_REDIRECT_URI,
      baseURL: sandbox.origin,
      issuer: sandbox.issuer,
      verifyIdTokenSignature: true,
    },
    (_accessToken, _refreshToken, _params, _profile, done) => done(null, false),
  );
  return JustLoginRefresher.fromStrategy(strategy);
}

const refreshRequests = () => sandbox.tokenRequests.filter((line) => line.includes('grant_type=refresh_token'));

it('renews once for a caller that comes back with the spent refresh token, and checks the new id_token', async () => {
  const logged = sandbox.tokenRequests.length;
  const tokens = await signedInTokens();
  const refresher = refresherFor();
  const before = refreshRequests().length;

  const renewed = await refresher.ensureFresh(tokens);
  const late = await refresher.ensureFresh(tokens);

  expect(late).toEqual(renewed);
  expect(renewed.refreshToken).not.toBe(tokens.refreshToken);
  // The sandbox sends a new id_token with each renewal (RS256 is deterministic: within the
  // same second it can equal the previous one); the refresher checked it against that one.
  expect(decodeIdToken(renewed.idToken).claims).toMatchObject({
    iss: sandbox.issuer,
    sub: decodeIdToken(tokens.idToken).claims.sub,
  });
  // The sandbox logs each request as it finishes: the sign-in's code exchange and the one renewal.
  await sandbox.waitForTokenRequests(logged + 2);
  expect(refreshRequests().slice(before)).toEqual(['token-request grant_type=refresh_token status=200']);

  // The renewed tokens renew in turn: their refresh token was not spent.
  const next = await refresher.refresh({ refreshToken: renewed.refreshToken!, idToken: renewed.idToken });
  expect(next.refreshToken).not.toBe(renewed.refreshToken);
});

it("refuses a renewed id_token whose subject is not the previous id_token's", async () => {
  const tokens = await signedInTokens();
  const header = Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url');
  const claims = { ...decodeIdToken(tokens.idToken).claims, sub: 'someone-else' };
  const otherUsers = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

  await expect(refresherFor().ensureFresh({ ...tokens, idToken: otherUsers })).rejects.toMatchObject({
    name: 'IdTokenError',
    check: 'sub',
  });
});
