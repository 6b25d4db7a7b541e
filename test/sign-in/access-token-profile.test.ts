// The profile takes JustLogin's identity from the access token when it is a JWT of the same issuer and
// user as the id_token (IdentityServer's default shape: an id_token of protocol claims only).
import request from 'supertest';
import { SignJWT } from 'jose';
import { JustLoginStrategy, type JustLoginStrategyOptions, type JustLoginVerifyWithProfile } from '../../lib';
import { makeApp } from '../support/app';
import { fakeIdToken } from '../support/id-token';
import { signIdToken, signingKey, type SigningKey } from '../support/keys';
import { TokenServer, tokenResponse } from '../support/token-server';

const CLIENT_ID = 'client-abc';
const ISSUER = 'https://apis.justlogin.com/v1/auth';
const JWKS_PATH = '/v1/auth/.well-known/openid-configuration/jwks';

let server: TokenServer;
let key: SigningKey;
let nonce: string | undefined;
/** What the token endpoint answers: an id_token and an access token made from these claims. */
let access: { claims: Record<string, unknown>; key?: SigningKey } | 'opaque';

const now = () => Math.floor(Date.now() / 1000);
/** IdentityServer's default id_token: protocol claims only. */
const idClaims = () => ({ iss: ISSUER, sub: 'user-42', aud: CLIENT_ID, exp: now() + 300, iat: now(), nonce });
const accessClaims = (overrides: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  sub: 'user-42',
  aud: 'justlogin-api',
  client_id: CLIENT_ID,
  exp: now() + 3600,
  iat: now(),
  UserGUID: '7D3C2B1A0F9E8D7C6B5A493827160504',
  CompanyGUID: '0BF91817E2E64B0C92F22FD24A9D4604',
  CompanyID: 'ACME',
  CompanyName: 'Acme Pte Ltd',
  Username: 'alice',
  name: 'Alice Tan',
  WorkEmail: 'alice@acme.example',
  role: ['Employee', 'Manager'],
  ...overrides,
});
const signAccessToken = (claims: Record<string, unknown>, by: SigningKey) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: by.kid, typ: 'at+jwt' }).sign(by.privateKey);

beforeAll(async () => {
  key = await signingKey('key-1');
});

beforeEach(async () => {
  server = await TokenServer.start();
  access = { claims: accessClaims() };
  server.reply(async (req) => {
    if (req.url === JWKS_PATH) return { body: { keys: [key.jwk] } };
    const accessToken =
      access === 'opaque'
        ? 'F2A8C1D9E7B6A5F4E3D2C1B0A9F8E7D6'
        : await signAccessToken(access.claims, access.key ?? key);
    return { body: tokenResponse({ access_token: accessToken, id_token: await signIdToken(idClaims(), key) }) };
  });
});
afterEach(() => server.stop());

const options = (overrides: Partial<JustLoginStrategyOptions> = {}): JustLoginStrategyOptions => ({
  clientID: CLIENT_ID,
  clientSecret: 'super-secret-value-123',
  callbackURL: 'http://app.test/callback',
  baseURL: server.origin,
  ...overrides,
});
const keepProfile: JustLoginVerifyWithProfile = (_at, _rt, profile, done) => done(null, profile);

async function signIn(strategy: JustLoginStrategy) {
  const agent = request.agent(makeApp(strategy));
  const login = await agent.get('/login');
  const location = new URL(login.headers.location);
  nonce = location.searchParams.get('nonce') ?? undefined;
  const state = location.searchParams.get('state') ?? '';
  return agent.get(`/callback?${new URLSearchParams({ code: 'auth-code-1', state }).toString()}`);
}

it("takes the user's JustLogin identity from the access token, with no request besides the token exchange", async () => {
  const callback = await signIn(new JustLoginStrategy(options(), keepProfile));
  expect(callback.status).toBe(200);
  expect(callback.body.user).toMatchObject({
    id: 'user-42',
    displayName: 'Alice Tan',
    username: 'alice',
    emails: [{ value: 'alice@acme.example', type: 'work' }],
    userGuid: '7D3C2B1A0F9E8D7C6B5A493827160504',
    companyGuid: '0BF91817E2E64B0C92F22FD24A9D4604',
    companyId: 'ACME',
    companyName: 'Acme Pte Ltd',
    roles: ['Employee', 'Manager'],
    _accessTokenClaims: { UserGUID: '7D3C2B1A0F9E8D7C6B5A493827160504', aud: 'justlogin-api' },
  });
  expect(server.requests.map((req) => req.url)).toEqual(['/v1/auth/connect/token']);
});

it('builds the profile from the id_token alone when the access token is opaque', async () => {
  access = 'opaque';
  const callback = await signIn(new JustLoginStrategy(options(), keepProfile));
  expect(callback.status).toBe(200);
  expect(callback.body.user).toEqual({
    provider: 'justlogin',
    id: 'user-42',
    roles: [],
    _json: expect.objectContaining({ sub: 'user-42' }),
    _raw: expect.any(String),
  });
});

it.each([
  ['another user (sub)', { sub: 'user-99' }, /another user \(sub\)/],
  ['another issuer (iss)', { iss: 'https://evil.example/v1/auth' }, /another issuer \(iss\)/],
  ['no user at all', { sub: undefined }, /another user \(sub\)/],
])('fails the sign-in when the access token names %s, never mixing two users', async (_case, overrides, message) => {
  access = { claims: accessClaims(overrides) };
  const callback = await signIn(new JustLoginStrategy(options(), keepProfile));
  expect(callback.status).toBe(500);
  expect(callback.body.error).toMatchObject({ name: 'IdTokenError', check: 'access_token' });
  expect(callback.body.error.message).toMatch(message);
});

describe('with signature checks on', () => {
  it("accepts an access token signed with JustLogin's keys (typ at+jwt), its aud unchecked", async () => {
    const callback = await signIn(new JustLoginStrategy(options({ verifyIdTokenSignature: true }), keepProfile));
    expect(callback.status).toBe(200);
    expect(callback.body.user.userGuid).toBe('7D3C2B1A0F9E8D7C6B5A493827160504');
  });

  it('fails the sign-in for an access token signed with another key, before any of its claims is used', async () => {
    access = { claims: accessClaims({ role: 'Admin' }), key: await signingKey('key-1') };
    const callback = await signIn(new JustLoginStrategy(options({ verifyIdTokenSignature: true }), keepProfile));
    expect(callback.status).toBe(500);
    expect(callback.body.error).toMatchObject({ name: 'IdTokenError', check: 'access_token' });
    expect(callback.body.error.message).toMatch(/access token's signature/);
  });

  it('fails the sign-in for an unsigned access token', async () => {
    server.reply(async (req) => {
      if (req.url === JWKS_PATH) return { body: { keys: [key.jwk] } };
      const unsigned = fakeIdToken(accessClaims(), { alg: 'none', typ: 'at+jwt' }).replace(/[^.]+$/, '');
      return { body: tokenResponse({ access_token: unsigned, id_token: await signIdToken(idClaims(), key) }) };
    });
    const callback = await signIn(new JustLoginStrategy(options({ verifyIdTokenSignature: true }), keepProfile));
    expect(callback.status).toBe(500);
    expect(callback.body.error.check).toBe('access_token');
  });
});
