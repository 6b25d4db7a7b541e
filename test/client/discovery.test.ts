import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { JustLoginClient, JustLoginOptionsError, JustLoginRefresher, JustLoginRequestError } from '../../lib';
import { fetchMetadata } from '../../lib/client/discovery';
import { createTransport, type FetchInit } from '../../lib/client/transport';
import { TokenServer } from '../support/token-server';
import { seeGuide } from '../support/guide';

// Opt-in discovery: JustLogin's OpenID configuration read from a server on
// 127.0.0.1, and every way it may be wrong.

const PATH = '/v1/auth/.well-known/openid-configuration';

let server: http.Server;
let origin: string;
let received: Array<{ method?: string; url?: string; accept?: string }>;
let handler: http.RequestListener;

beforeEach(async () => {
  received = [];
  handler = (_req, res) => json(res, metadata());
  server = http.createServer((req, res) => {
    received.push({ method: req.method, url: req.url, accept: req.headers.accept });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function json(res: http.ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** IdentityServer-shaped metadata for the server under test. */
function metadata(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const auth = `${origin}/v1/auth`;
  return {
    issuer: auth,
    jwks_uri: `${auth}/.well-known/openid-configuration/jwks`,
    authorization_endpoint: `${auth}/connect/authorize`,
    token_endpoint: `${auth}/connect/token`,
    userinfo_endpoint: `${auth}/connect/userinfo`,
    end_session_endpoint: `${auth}/connect/endsession`,
    revocation_endpoint: `${auth}/connect/revocation`,
    scopes_supported: ['openid', 'profile'],
    frontchannel_logout_supported: true,
    ...overrides,
  };
}

async function failure(run: Promise<unknown>, hidden?: string): Promise<JustLoginRequestError> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(JustLoginRequestError);
    if (hidden) expect(inspect(error)).not.toContain(hidden);
    return error as JustLoginRequestError;
  }
  throw new Error('expected a rejection');
}

const discover = (timeout = 1000, allowInsecure = false, allowedOrigins: string[] = []) =>
  fetchMetadata(createTransport(), origin, timeout, allowInsecure, allowedOrigins);

it('reads the OpenID configuration under <baseURL>/v1/auth and returns it, frozen', async () => {
  const found = await discover();
  expect(found).toEqual(metadata());
  expect(Object.isFrozen(found)).toBe(true);
  expect(received).toEqual([{ method: 'GET', url: PATH, accept: 'application/json' }]);
});

it('joins a baseURL with a trailing slash without doubling it', async () => {
  await fetchMetadata(createTransport(), `${origin}/`, 1000, false);
  expect(received[0].url).toBe(PATH);
});

it('goes through the transport it is given', async () => {
  const calls: string[] = [];
  const fetch = (input: string, init: FetchInit) => {
    calls.push(input);
    return globalThis.fetch(input, init);
  };
  await fetchMetadata(createTransport({ fetch }), origin, 1000, false);
  expect(calls).toEqual([origin + PATH]);
});

it.each([
  ['another host', 'https://evil.example/v1/auth'],
  ['a trailing slash', '/v1/auth/'],
  ['the base URL alone', ''],
])('refuses an issuer with %s (OIDC Discovery §4.3), without echoing it', async (_case, issuer) => {
  const value = issuer.startsWith('/') || issuer === '' ? origin + issuer : issuer;
  handler = (_req, res) => json(res, metadata({ issuer: value }));
  const error = await failure(discover(), 'evil');
  expect(error).toMatchObject({ code: 'EBADRESPONSE', retryable: false });
  expect(error.message).toBe(
    `JustLogin's discovery document names an issuer other than ${origin}/v1/auth (OpenID Connect Discovery 1.0 §4.3)${seeGuide('EBADRESPONSE')}`,
  );
});

it.each([
  ['no issuer', { issuer: undefined }, 'issuer'],
  ['no jwks_uri', { jwks_uri: undefined }, 'jwks_uri'],
  ['a jwks_uri that is not a string', { jwks_uri: 42 }, 'jwks_uri'],
  ['a token_endpoint that is not a string', { token_endpoint: ['x'] }, 'token_endpoint'],
])('refuses a document with %s', async (_case, overrides, field) => {
  handler = (_req, res) => json(res, metadata(overrides));
  const error = await failure(discover());
  expect(error).toMatchObject({ code: 'EBADRESPONSE', retryable: false });
  expect(error.message).toContain(field);
});

it.each([
  ['a javascript: URL', 'revocation_endpoint', 'javascript:alert(document.cookie)'],
  ['a data: URL', 'end_session_endpoint', 'data:text/html,evil'],
  ['something that is no URL', 'userinfo_endpoint', 'not a url evil'],
  ['plain http to a host that is not loopback', 'jwks_uri', 'http://evil.example/jwks'],
  ['plain http to a host that is not loopback', 'op_policy_uri', 'http://evil.example/policy'],
])('refuses %s in %s, without echoing it', async (_case, field, value) => {
  handler = (_req, res) => json(res, metadata({ [field]: value }));
  const error = await failure(discover(), 'evil');
  expect(error).toMatchObject({ code: 'EBADRESPONSE', retryable: false });
  expect(error.message).toContain(`\`${field}\``);
});

it('takes plain http to any host with allowInsecureRequests, and https, on an origin allowed', async () => {
  handler = (_req, res) =>
    json(res, metadata({ jwks_uri: 'http://idp.internal/jwks', revocation_endpoint: 'https://idp.example/revoke' }));
  const allowed = ['http://idp.internal', 'https://idp.example'];
  await expect(discover(1000, true, allowed)).resolves.toMatchObject({ jwks_uri: 'http://idp.internal/jwks' });
  await expect(failure(discover(1000, false, allowed))).resolves.toMatchObject({ code: 'EBADRESPONSE' });
});

describe("endpoints on another origin than the issuer's", () => {
  it.each<[string, string, (origin: string) => string]>([
    [
      'jwks_uri',
      'plain http to another port of 127.0.0.1',
      (own) => `http://127.0.0.1:${Number(new URL(own).port) + 1}/jwks`,
    ],
    ['jwks_uri', 'https to another host', () => 'https://keys.evil.example/jwks'],
    ['token_endpoint', 'another scheme on the same host and port', (own) => `${own.replace('http:', 'https:')}/token`],
    ['end_session_endpoint', 'another name of the same loopback host', (own) => own.replace('127.0.0.1', 'localhost')],
    ['userinfo_endpoint', 'a host that begins like the issuer’s', () => 'https://127.0.0.1.evil.example/userinfo'],
  ])('refuses `%s` at %s, naming the option that allows it, without echoing it', async (field, _case, value) => {
    handler = (_req, res) => json(res, metadata({ [field]: value(origin) }));
    const error = await failure(discover(), 'evil');
    expect(error).toMatchObject({ code: 'EBADRESPONSE', retryable: false });
    expect(error.message).toBe(
      `JustLogin's discovery document has a \`${field}\` on another origin than the issuer (${origin}); list that origin in \`allowedEndpointOrigins\` to use it${seeGuide('EBADRESPONSE')}`,
    );
    expect(error.message).not.toContain(value(origin));
  });

  it('takes one on an origin listed in allowedEndpointOrigins, and only there', async () => {
    handler = (_req, res) => json(res, metadata({ jwks_uri: 'https://keys.justlogin.example/jwks' }));
    await expect(discover(1000, false, ['https://keys.justlogin.example'])).resolves.toMatchObject({
      jwks_uri: 'https://keys.justlogin.example/jwks',
    });
    await expect(failure(discover(1000, false, ['https://keys.justlogin.example:8443']))).resolves.toMatchObject({
      code: 'EBADRESPONSE',
    });
  });

  it('never fetches keys the document puts elsewhere: the renewal fails before the refresh token is spent', async () => {
    const elsewhere = await TokenServer.start();
    try {
      handler = (req, res) =>
        req.url === PATH
          ? json(res, metadata({ jwks_uri: `${elsewhere.origin}/jwks` }))
          : json(res, { access_token: 'x' });
      const client = new JustLoginClient({
        clientID: 'client-id',
        clientSecret: 'client-secret-origins',
        baseURL: origin,
        discovery: true,
        verifyIdTokenSignature: true,
      });
      const error = await failure(
        new JustLoginRefresher({ client }).refresh({ refreshToken: 'refresh-token-origins' }),
      );
      expect(error).toMatchObject({ code: 'EBADRESPONSE', message: expect.stringContaining('`jwks_uri`') });
      expect(elsewhere.requests).toEqual([]);
      expect(received.map((request) => request.url)).toEqual([PATH]);
    } finally {
      await elsewhere.stop();
    }
  });

  it('takes allowedEndpointOrigins as a list of origins (scheme, host and port), https unless loopback', () => {
    const client = (allowedEndpointOrigins: unknown, allowInsecureRequests?: boolean) =>
      new JustLoginClient({
        clientID: 'client-id',
        clientSecret: 'client-secret-origins',
        allowedEndpointOrigins: allowedEndpointOrigins as string[],
        allowInsecureRequests,
      });
    expect(() =>
      client(['https://keys.justlogin.example', 'http://127.0.0.1:4001', 'http://[::1]:4002']),
    ).not.toThrow();
    expect(() => client(['http://keys.internal'], true)).not.toThrow();
    for (const given of [
      'https://keys.justlogin.example',
      ['https://keys.justlogin.example/'],
      ['https://keys.justlogin.example/jwks'],
      ['https://user:pass@keys.justlogin.example'],
      ['keys.justlogin.example'],
      ['http://keys.justlogin.example'],
      [42],
    ]) {
      expect(() => client(given)).toThrow(JustLoginOptionsError);
      expect(() => client(given)).toThrow(/`allowedEndpointOrigins` must be a list of origins/);
    }
  });
});

it.each([
  ['HTML', '<html>Sign in to the proxy</html>'],
  ['a JSON array', '[]'],
  ['JSON null', 'null'],
])('refuses a body that is %s as EBADRESPONSE, without echoing it', async (_case, body) => {
  handler = (_req, res) => json(res, body);
  const error = await failure(discover(), 'proxy');
  expect(error).toMatchObject({ code: 'EBADRESPONSE', status: 200 });
});

it.each([
  [404, false],
  [503, true],
])('reports HTTP %i as EHTTPSTATUS', async (status, retryable) => {
  handler = (_req, res) => res.writeHead(status).end('{"issuer":"x"}');
  expect(await failure(discover())).toMatchObject({ code: 'EHTTPSTATUS', status, retryable });
});

it('refuses a document over 64 KiB, and takes one just under', async () => {
  handler = (_req, res) => json(res, metadata({ padding: 'x'.repeat(64 * 1024) }));
  expect(await failure(discover())).toMatchObject({ code: 'ETOOLARGE' });
  handler = (_req, res) => json(res, metadata({ padding: 'x'.repeat(60 * 1024) }));
  await expect(discover()).resolves.toMatchObject({ issuer: `${origin}/v1/auth` });
});

it('gives up on a server that trickles the document, within the timeout', async () => {
  let timer: NodeJS.Timeout | undefined;
  handler = (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    timer = setInterval(() => res.write(' '), 10);
  };
  try {
    const started = performance.now();
    expect(await failure(discover(200))).toMatchObject({ code: 'ETIMEDOUT', retryable: true });
    expect(performance.now() - started).toBeLessThan(1000);
  } finally {
    clearInterval(timer);
  }
});

it('does not follow a redirect', async () => {
  handler = (_req, res) => res.writeHead(302, { Location: 'https://evil.example/config' }).end();
  expect(await failure(discover())).toMatchObject({ code: 'EREDIRECT' });
  expect(received).toHaveLength(1);
});
