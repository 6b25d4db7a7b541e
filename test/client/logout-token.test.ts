// client.verifyLogoutToken: every check of OpenID Connect Back-Channel Logout 1.0 §2.6, each refusal
// with its own code, against logout tokens signed with keys a local JWKS publishes.
import { SignJWT } from 'jose';
import { JustLoginClient, LogoutTokenError, type LogoutTokenErrorCode } from '../../lib';
import { MemoryReplayStore } from '../../lib/client/replay-store';
import { signingKey, type SigningKey } from '../support/keys';
import { TokenServer } from '../support/token-server';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const CLIENT_ID = 'client-abc';
let jwks: TokenServer;
let key: SigningKey;
let issuer: string;

beforeAll(async () => {
  key = await signingKey('key-1');
  jwks = await TokenServer.start('/v1/auth/.well-known/openid-configuration/jwks');
  issuer = `${jwks.origin}/v1/auth`;
  jwks.reply((request) =>
    request.url.endsWith('/openid-configuration')
      ? { body: { issuer, jwks_uri: `${issuer}/.well-known/openid-configuration/jwks` } }
      : { body: { keys: [key.jwk] } },
  );
});
afterAll(() => jwks.stop());

afterEach(() => jest.restoreAllMocks());

const client = (options: object = {}) =>
  new JustLoginClient({ clientID: CLIENT_ID, clientSecret: 'secret-xyz', baseURL: jwks.origin, ...options });

let counter = 0;
/** The claims of a logout token JustLogin would send now, with `overrides` (undefined removes a claim). */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const all: Record<string, unknown> = {
    iss: issuer,
    aud: CLIENT_ID,
    iat: now,
    exp: now + 120,
    jti: `logout-${(counter += 1)}`,
    sub: 'user-42',
    sid: 'session-7',
    events: { [EVENT]: {} },
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

function sign(payload: Record<string, unknown>, header: Record<string, unknown> = { typ: 'logout+jwt' }, by = key) {
  return new SignJWT(payload).setProtectedHeader({ alg: by.alg, kid: by.kid, ...header }).sign(by.privateKey);
}

async function refusal(run: Promise<unknown>): Promise<LogoutTokenError> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(LogoutTokenError);
    return error as LogoutTokenError;
  }
  throw new Error('expected the logout token to be refused');
}

describe('client.verifyLogoutToken', () => {
  it.each([
    ['absent', {}],
    ['JWT (IdentityServer 4)', { typ: 'JWT' }],
    ['logout+jwt (Duende, the specification)', { typ: 'logout+jwt' }],
  ])('accepts a logout token whose typ is %s, and says who signed out', async (_name, header) => {
    const payload = claims();
    const token = await sign(payload, header);
    await expect(client().verifyLogoutToken(token)).resolves.toEqual({
      iss: issuer,
      sub: 'user-42',
      sid: 'session-7',
      jti: payload.jti,
      iat: payload.iat,
    });
  });

  it('accepts a token that names only the user, or only the session', async () => {
    await expect(client().verifyLogoutToken(await sign(claims({ sid: undefined })))).resolves.not.toHaveProperty('sid');
    await expect(client().verifyLogoutToken(await sign(claims({ sub: undefined })))).resolves.not.toHaveProperty('sub');
  });

  const refusals: Array<[string, LogoutTokenErrorCode, () => Promise<string>]> = [
    [
      'a bad signature (another key under the published kid)',
      'ELOGOUTSIGNATURE',
      async () => sign(claims(), undefined, await signingKey('key-1')),
    ],
    ['alg none', 'ELOGOUTSIGNATURE', () => Promise.resolve(unsigned(claims()))],
    ['another audience', 'ELOGOUTAUDIENCE', () => sign(claims({ aud: 'another-client' }))],
    ['another issuer', 'ELOGOUTISSUER', () => sign(claims({ iss: 'https://elsewhere.example/v1/auth' }))],
    ['no events claim', 'ELOGOUTEVENTS', () => sign(claims({ events: undefined }))],
    ['events without the back-channel logout event', 'ELOGOUTEVENTS', () => sign(claims({ events: { other: {} } }))],
    ['a nonce (an id_token)', 'ELOGOUTNONCE', () => sign(claims({ nonce: 'n-1' }))],
    ['neither sid nor sub', 'ELOGOUTSUBJECT', () => sign(claims({ sid: undefined, sub: undefined }))],
    ['an empty sub and no sid', 'ELOGOUTSUBJECT', () => sign(claims({ sid: undefined, sub: '' }))],
    ['an iat in the future', 'ELOGOUTIAT', () => sign(claims({ iat: Math.floor(Date.now() / 1000) + 3600 }))],
    ['no iat', 'ELOGOUTIAT', () => sign(claims({ iat: undefined }))],
    [
      'an iat too old (over 5 minutes and the clock tolerance)',
      'ELOGOUTEXPIRED',
      () => sign(claims({ iat: Math.floor(Date.now() / 1000) - 361, exp: undefined })),
    ],
    ['an exp passed', 'ELOGOUTEXPIRED', () => sign(claims({ exp: Math.floor(Date.now() / 1000) - 120 }))],
    ['no jti', 'ELOGOUTJTI', () => sign(claims({ jti: undefined }))],
    ['a typ of at+jwt (an access token)', 'ELOGOUTTYPE', () => sign(claims(), { typ: 'at+jwt' })],
    ['a typ of id_token+jwt', 'ELOGOUTTYPE', () => sign(claims(), { typ: 'id_token+jwt' })],
    ['a crit header', 'ELOGOUTFORMAT', () => sign(claims(), { typ: 'logout+jwt', crit: ['b64'], b64: true })],
    ['something that is not a JWT', 'ELOGOUTFORMAT', () => Promise.resolve('not.a-jwt')],
    ['a token over 16 KiB', 'ELOGOUTFORMAT', () => sign(claims({ padding: 'x'.repeat(17 * 1024) }))],
  ];

  it.each(refusals)('refuses %s with %s, never quoting the token', async (_name, code, make) => {
    const token = await make();
    const error = await refusal(client().verifyLogoutToken(token));
    expect(error.code).toBe(code);
    expect(error).toMatchObject({ retryable: false, reauthenticate: false });
    expect(error.message).not.toContain(token.split('.')[1]);
  });

  it('checks the signature whatever verifyIdTokenSignature says', async () => {
    const forged = await sign(claims(), undefined, await signingKey('key-1'));
    const error = await refusal(client({ verifyIdTokenSignature: false }).verifyLogoutToken(forged));
    expect(error.code).toBe('ELOGOUTSIGNATURE');
  });

  it('refuses a replayed jti, once every other check passed', async () => {
    const verifier = client();
    const token = await sign(claims());
    await verifier.verifyLogoutToken(token);
    expect((await refusal(verifier.verifyLogoutToken(token))).code).toBe('ELOGOUTREPLAY');
    // A token refused for another reason does not use its jti up.
    const payload = claims();
    expect((await refusal(verifier.verifyLogoutToken(await sign({ ...payload, aud: 'x' })))).code).toBe(
      'ELOGOUTAUDIENCE',
    );
    await expect(verifier.verifyLogoutToken(await sign(payload))).resolves.toMatchObject({ jti: payload.jti });
  });

  it('refuses a replay on another client sharing its replayStore (as instances share Redis)', async () => {
    const replayStore = new MemoryReplayStore();
    const token = await sign(claims());
    await client({ replayStore }).verifyLogoutToken(token);
    expect((await refusal(client({ replayStore }).verifyLogoutToken(token))).code).toBe('ELOGOUTREPLAY');
  });

  it('accepts a jti again once no token carrying it could be accepted any more', async () => {
    const verifier = client({ clockTolerance: 0 });
    const issuedAt = Date.now();
    const payload = claims({ iat: Math.floor(issuedAt / 1000), exp: undefined });
    await verifier.verifyLogoutToken(await sign(payload));
    // Past the 5 minutes a token with that iat is too old; a new token may reuse the id.
    jest.spyOn(Date, 'now').mockReturnValue(issuedAt + 301_000);
    const later = claims({ jti: payload.jti, iat: Math.floor((issuedAt + 301_000) / 1000), exp: undefined });
    await expect(verifier.verifyLogoutToken(await sign(later))).resolves.toMatchObject({ jti: payload.jti });
  });

  it('expects the configured issuer, else the discovered one, else <baseURL>/v1/auth', async () => {
    await expect(client({ discovery: true }).verifyLogoutToken(await sign(claims()))).resolves.toMatchObject({
      iss: issuer,
    });
    const configured = 'https://apis.justlogin.example/v1/auth';
    await expect(
      client({ issuer: configured }).verifyLogoutToken(await sign(claims({ iss: configured }))),
    ).resolves.toMatchObject({ iss: configured });
    const error = await refusal(client({ issuer: configured }).verifyLogoutToken(await sign(claims())));
    expect(error.code).toBe('ELOGOUTISSUER');
  });
});

/** `payload` as an unsecured JWT (alg none). */
function unsigned(payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'logout+jwt' })}.${encode(payload)}.c2lnbmF0dXJl`;
}
