import { SignJWT } from 'jose';
import { IdTokenError, JustLoginRequestError } from '../lib';
import { IdTokenSignature } from '../lib/id-token-signature';
import { fakeIdToken, idTokenClaims } from './support/id-token';
import { signIdToken, signingKey, type SigningKey } from './support/keys';
import { TokenServer } from './support/token-server';

const JWKS_PATH = '/v1/auth/.well-known/openid-configuration/jwks';
let server: TokenServer;
let current: SigningKey;
let published: SigningKey[];

beforeEach(async () => {
  current = await signingKey('key-1');
  published = [current];
  server = await TokenServer.start(JWKS_PATH);
  server.reply(() => ({ body: { keys: published.map((key) => key.jwk) } }));
});
afterEach(() => server.stop());

const claims = () => idTokenClaims('client-abc');
const jwksFetches = () => server.requests.filter((request) => request.url === JWKS_PATH).length;

async function failure(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('IdTokenSignature', () => {
  it('accepts a token signed with a published key and caches the keys', async () => {
    const signature = new IdTokenSignature(server.url, 2000);
    await signature.verify(await signIdToken(claims(), current));
    await signature.verify(await signIdToken(claims(), current));
    expect(jwksFetches()).toBe(1);
  });

  it('refuses a token signed by another key under a published kid', async () => {
    const forger = await signingKey('key-1');
    const error = await failure(new IdTokenSignature(server.url, 2000).verify(await signIdToken(claims(), forger)));
    expect(error).toBeInstanceOf(IdTokenError);
    expect(error).toMatchObject({ check: 'signature', message: expect.stringMatching(/does not verify/) });
  });

  it('fetches the keys again for an unknown kid, and uses a key JustLogin has just added', async () => {
    const signature = new IdTokenSignature(server.url, 2000, 0);
    await signature.verify(await signIdToken(claims(), current));
    const next = await signingKey('key-2');
    published = [current, next];
    await signature.verify(await signIdToken(claims(), next));
    expect(jwksFetches()).toBe(2);
  });

  it('does not fetch the keys again within the cooldown', async () => {
    const signature = new IdTokenSignature(server.url, 2000);
    await signature.verify(await signIdToken(claims(), current));
    const stranger = await signingKey('key-unknown');
    await failure(signature.verify(await signIdToken(claims(), stranger)));
    expect(jwksFetches()).toBe(1);
  });

  it('refuses a kid that JustLogin does not publish', async () => {
    const stranger = await signingKey('key-unknown');
    const error = await failure(new IdTokenSignature(server.url, 2000).verify(await signIdToken(claims(), stranger)));
    expect(error).toMatchObject({ name: 'IdTokenError', check: 'signature', message: expect.stringMatching(/kid/) });
  });

  it.each([
    ['alg none', fakeIdToken(idTokenClaims('client-abc'), { alg: 'none', kid: 'key-1' }).replace(/[^.]+$/, '')],
    ['HS256 keyed with the public key', undefined],
  ])('refuses %s', async (_case, given) => {
    const token =
      given ??
      (await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
        .sign(new TextEncoder().encode(JSON.stringify(current.jwk))));
    const error = await failure(new IdTokenSignature(server.url, 2000).verify(token));
    expect(error).toBeInstanceOf(IdTokenError);
  });

  it('reports unreachable keys as a retryable request error', async () => {
    const signature = new IdTokenSignature('http://127.0.0.1:1/jwks', 2000);
    const error = await failure(signature.verify(await signIdToken(claims(), current)));
    expect(error).toBeInstanceOf(JustLoginRequestError);
    expect(error).toMatchObject({ code: 'EJWKS', retryable: true });
  });

  it('reports a JWKS endpoint that does not answer as ETIMEDOUT', async () => {
    server.reply('hang');
    const error = await failure(new IdTokenSignature(server.url, 200).verify(await signIdToken(claims(), current)));
    expect(error).toMatchObject({ name: 'JustLoginRequestError', code: 'ETIMEDOUT' });
  });
});
