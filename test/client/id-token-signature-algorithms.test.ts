import { generateKeyPairSync, sign } from 'node:crypto';
import { IdTokenSignature, ID_TOKEN_ALGORITHMS } from '../../lib/client/id-token-signature';
import { idTokenClaims } from '../support/id-token';
import { signIdToken, signingKey, type SigningKey } from '../support/keys';
import { TokenServer } from '../support/token-server';

// Every accepted algorithm against a JWKS on 127.0.0.1: a signature by the published key verifies,
// one over other bytes does not, and a published key that does not fit the algorithm is refused.
let server: TokenServer;
let published: object[];

beforeEach(async () => {
  published = [];
  server = await TokenServer.start('/jwks');
  server.reply(() => ({ body: { keys: published } }));
});
afterEach(() => server.stop());

const claims = () => idTokenClaims('client-abc');

async function failure(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** `token` with its payload replaced and the original signature kept. */
function withOtherPayload(token: string): string {
  const [header, , signature] = token.split('.');
  const payload = Buffer.from(JSON.stringify({ ...claims(), sub: 'mallory' })).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A compact JWS over `claims` with header `{ alg, kid }`, signed by node:crypto with `key` as `options`. */
function signWith(alg: string, kid: string, sigAlgorithm: string | null, key: Parameters<typeof sign>[2]): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg, kid, typ: 'JWT' })}.${encode(claims())}`;
  return `${input}.${sign(sigAlgorithm, Buffer.from(input), key).toString('base64url')}`;
}

describe.each(ID_TOKEN_ALGORITHMS)('an id_token signed with %s', (alg) => {
  let key: SigningKey;
  beforeEach(async () => {
    key = await signingKey(`key-${alg}`, alg);
    published = [key.jwk];
  });

  it('verifies against the published key, twice with one fetch', async () => {
    const signature = new IdTokenSignature(server.url, 2000);
    await signature.verify(await signIdToken(claims(), key));
    await signature.verify(await signIdToken(claims(), key));
    expect(server.requests).toHaveLength(1);
  });

  it('does not verify once its payload is changed', async () => {
    const signature = new IdTokenSignature(server.url, 2000);
    const token = await signIdToken(claims(), key);
    await signature.verify(token);
    const error = await failure(signature.verify(withOtherPayload(token)));
    expect(error).toMatchObject({ name: 'IdTokenError', check: 'signature', message: /does not verify/ });
  });

  it('does not verify when signed by another key under the published kid', async () => {
    const forger = await signingKey(`key-${alg}`, alg);
    const error = await failure(new IdTokenSignature(server.url, 2000).verify(await signIdToken(claims(), forger)));
    expect(error).toMatchObject({ name: 'IdTokenError', check: 'signature' });
  });
});

describe('a published key that does not fit the algorithm', () => {
  it('refuses an RSA key shorter than 2048 bits', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    published = [{ ...publicKey.export({ format: 'jwk' }), kid: 'short', alg: 'RS256', use: 'sig' }];
    const token = signWith('RS256', 'short', 'sha256', privateKey);
    const error = await failure(new IdTokenSignature(server.url, 2000).verify(token));
    expect(error).toMatchObject({ name: 'IdTokenError', check: 'signature', message: /key/ });
  });

  it('refuses an ES256 token checked with a P-384 key that claims to be P-256', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const jwk = publicKey.export({ format: 'jwk' });
    published = [{ ...jwk, crv: 'P-256', kid: 'curve', alg: 'ES256' }];
    const token = signWith('ES256', 'curve', 'sha256', { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const error = await failure(new IdTokenSignature(server.url, 2000).verify(token));
    expect(error).toMatchObject({ name: 'IdTokenError', check: 'signature' });
  });

  it('refuses a PS256 signature checked as RS256 with the same key', async () => {
    const key = await signingKey('rsa', 'PS256');
    published = [{ ...key.jwk, alg: undefined }];
    const token = await signIdToken(claims(), key);
    const [, payload, signature] = token.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'rsa' })).toString('base64url');
    const error = await failure(new IdTokenSignature(server.url, 2000).verify(`${header}.${payload}.${signature}`));
    expect(error).toMatchObject({ name: 'IdTokenError', check: 'signature' });
  });
});

describe('a token that is not a compact JWS', () => {
  it.each([
    ['a signature that is not base64url', (token: string) => `${token.slice(0, token.lastIndexOf('.'))}.not*base64`],
    ['four parts', (token: string) => `${token}.extra`],
    ['a header that is not JSON', (token: string) => `bm90IGpzb24.${token.split('.').slice(1).join('.')}`],
  ])('refuses %s as format', async (_case, mangle) => {
    const key = await signingKey('key-1');
    published = [key.jwk];
    const error = await failure(
      new IdTokenSignature(server.url, 2000).verify(mangle(await signIdToken(claims(), key))),
    );
    expect(error).toMatchObject({ name: 'IdTokenError', check: 'format' });
  });
});
