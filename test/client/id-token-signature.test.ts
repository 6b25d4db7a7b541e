import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT } from 'jose';
import { IdTokenError, JustLoginRequestError } from '../../lib';
import { IdTokenSignature } from '../../lib/client/id-token-signature';
import { fakeIdToken, idTokenClaims } from '../support/id-token';
import { signIdToken, signingKey, type SigningKey } from '../support/keys';
import { TokenServer } from '../support/token-server';

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
    const signature = new IdTokenSignature(server.url, 2000, undefined, 0);
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

  it('refuses a token that is not a compact JWS without fetching the keys', async () => {
    const signature = new IdTokenSignature(server.url, 2000);
    const token = await signIdToken(claims(), current);
    const [header, payload] = token.split('.');
    for (const [mangled, check] of [
      [`${header}.${payload}`, 'format'],
      [`${token}.x`, 'format'],
      [`e30.${payload}.c2ln`, 'signature'],
    ]) {
      expect(await failure(signature.verify(mangled))).toMatchObject({ name: 'IdTokenError', check });
    }
    expect(jwksFetches()).toBe(0);
  });

  it('reports unreachable keys as a retryable request error', async () => {
    const signature = new IdTokenSignature('http://127.0.0.1:1/jwks', 2000);
    const error = await failure(signature.verify(await signIdToken(claims(), current)));
    expect(error).toBeInstanceOf(JustLoginRequestError);
    expect(error).toMatchObject({ code: 'ECONNREFUSED', retryable: true, message: expect.stringContaining('JWKS') });
  });

  it('refuses a JWKS that publishes a private key', async () => {
    const privateJWK = { ...(await exportJWK(current.privateKey)), kid: 'key-1', alg: 'RS256' };
    server.reply({ body: { keys: [privateJWK] } });
    const error = await failure(new IdTokenSignature(server.url, 2000).verify(await signIdToken(claims(), current)));
    expect(error).toMatchObject({ name: 'JustLoginRequestError', code: 'EBADRESPONSE', retryable: false });
  });

  it('reports a JWKS endpoint that does not answer as ETIMEDOUT', async () => {
    server.reply('hang');
    const error = await failure(new IdTokenSignature(server.url, 200).verify(await signIdToken(claims(), current)));
    expect(error).toMatchObject({ name: 'JustLoginRequestError', code: 'ETIMEDOUT' });
  });
});

describe('IdTokenSignature fetching the JWKS', () => {
  let raw: http.Server;
  let rawURL: string;
  /** Bytes the raw server managed to hand to the socket before the client went away. */
  let written: number;
  const timers: NodeJS.Timeout[] = [];

  async function serve(handler: http.RequestListener): Promise<void> {
    written = 0;
    raw = http.createServer(handler);
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    rawURL = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/jwks`;
  }
  afterEach(async () => {
    for (const timer of timers) clearInterval(timer);
    raw.closeAllConnections();
    await new Promise((resolve) => raw.close(resolve));
  });

  it('gives up on a JWKS that trickles bytes forever, within the timeout', async () => {
    await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"keys":[');
      timers.push(setInterval(() => res.write(' '), 10));
    });
    const started = performance.now();
    const error = await failure(new IdTokenSignature(rawURL, 300).verify(await signIdToken(claims(), current)));
    const took = performance.now() - started;
    expect(error).toMatchObject({ name: 'JustLoginRequestError', code: 'ETIMEDOUT', retryable: true });
    expect(error.message).toContain('JWKS');
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2000);
  }, 5000);

  it('refuses a 40 MB JWKS without reading it all', async () => {
    const size = 40 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"keys":[');
      const pump = () => {
        while (written < size && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end(']}');
      };
      pump();
    });
    const error = await failure(new IdTokenSignature(rawURL, 5000).verify(await signIdToken(claims(), current)));
    expect(error).toMatchObject({ name: 'JustLoginRequestError', code: 'ETOOLARGE', retryable: false });
    expect(written).toBeLessThan(size / 4);
  });

  it('refuses a JWKS announced larger than 1 MiB before reading it', async () => {
    await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(40 * 1024 * 1024) });
      res.write('{"keys":[');
    });
    const error = await failure(new IdTokenSignature(rawURL, 5000).verify(await signIdToken(claims(), current)));
    expect(error).toMatchObject({ code: 'ETOOLARGE' });
  });

  it.each([301, 302, 307])('refuses a redirect (%i) without following it', async (status) => {
    let followed = 0;
    await serve((req, res) => {
      if (req.url === '/elsewhere') followed += 1;
      res.writeHead(status, { Location: '/elsewhere' });
      res.end();
    });
    const error = await failure(new IdTokenSignature(rawURL, 2000).verify(await signIdToken(claims(), current)));
    expect(error).toMatchObject({ name: 'JustLoginRequestError', code: 'EREDIRECT', status, retryable: false });
    expect(followed).toBe(0);
  });

  it.each([
    ['an HTTP error', 503, '{"keys":[]}', 'EHTTPSTATUS', true],
    ['a missing key set', 404, 'Not Found', 'EHTTPSTATUS', false],
    ['a body that is not JSON', 200, '<html>', 'EBADRESPONSE', true],
    ['JSON without keys', 200, '{"kid":"x"}', 'EBADRESPONSE', true],
    ['keys that are not objects', 200, '{"keys":[1,2]}', 'EBADRESPONSE', true],
  ])('reports %s as %s', async (_case, status, body, code, retryable) => {
    await serve((_req, res) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body);
    });
    const error = await failure(new IdTokenSignature(rawURL, 2000).verify(await signIdToken(claims(), current)));
    expect(error).toMatchObject({ name: 'JustLoginRequestError', code, retryable });
    expect(error.message).toContain('JWKS');
  });
});

describe('IdTokenSignature refetching for an unknown kid', () => {
  let now: number;
  beforeEach(() => {
    now = 1_700_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('fetches the keys at most once per cooldown, however many forged kids arrive', async () => {
    const signature = new IdTokenSignature(server.url, 2000, undefined, 30_000);
    await signature.verify(await signIdToken(claims(), current));
    const forged = await Promise.all(
      ['f1', 'f2', 'f3'].map(async (kid) => signIdToken(claims(), await signingKey(kid))),
    );
    now += 29_999;
    for (const token of forged) await failure(signature.verify(token));
    expect(jwksFetches()).toBe(1);
    now += 1;
    await Promise.all(forged.map((token) => failure(signature.verify(token))));
    expect(jwksFetches()).toBe(2);
    now += 10_000;
    for (const token of forged) await failure(signature.verify(token));
    expect(jwksFetches()).toBe(2);
  });

  it('uses a key added after the cooldown has passed', async () => {
    const signature = new IdTokenSignature(server.url, 2000, undefined, 30_000);
    await signature.verify(await signIdToken(claims(), current));
    const next = await signingKey('key-2');
    published = [current, next];
    now += 30_000;
    await signature.verify(await signIdToken(claims(), next));
    expect(jwksFetches()).toBe(2);
  });

  it('fetches the keys once for verifications that start together', async () => {
    const signature = new IdTokenSignature(server.url, 2000, undefined, 30_000);
    const token = await signIdToken(claims(), current);
    await Promise.all([1, 2, 3, 4].map(() => signature.verify(token)));
    expect(jwksFetches()).toBe(1);
  });

  it('fetches the keys again once they are ten minutes old', async () => {
    const signature = new IdTokenSignature(server.url, 2000, undefined, 30_000);
    const token = await signIdToken(claims(), current);
    await signature.verify(token);
    now += 599_999;
    await signature.verify(token);
    expect(jwksFetches()).toBe(1);
    now += 1;
    await signature.verify(token);
    expect(jwksFetches()).toBe(2);
  });

  it('tries the fetch again on the next token when it failed and no keys are known', async () => {
    server.reply({ status: 503, body: {} });
    const signature = new IdTokenSignature(server.url, 2000, undefined, 30_000);
    const token = await signIdToken(claims(), current);
    expect(await failure(signature.verify(token))).toMatchObject({ code: 'EHTTPSTATUS', retryable: true });
    server.reply(() => ({ body: { keys: published.map((key) => key.jwk) } }));
    await signature.verify(token);
    expect(jwksFetches()).toBe(2);
  });

  it('counts a failed refetch for an unknown kid against the cooldown', async () => {
    const signature = new IdTokenSignature(server.url, 2000, undefined, 30_000);
    await signature.verify(await signIdToken(claims(), current));
    const forged = await signIdToken(claims(), await signingKey('forged'));
    now += 30_000;
    server.reply({ status: 503, body: {} });
    expect(await failure(signature.verify(forged))).toMatchObject({ code: 'EHTTPSTATUS' });
    expect(await failure(signature.verify(forged))).toMatchObject({ name: 'IdTokenError', check: 'signature' });
    expect(jwksFetches()).toBe(2);
  });
});
