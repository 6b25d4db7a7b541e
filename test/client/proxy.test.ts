import { mkdirSync, writeFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { join } from 'node:path';
import { HttpsProxyAgent } from 'https-proxy-agent';
import request from 'supertest';
import { JustLoginRefresher, JustLoginStrategy, type JustLoginStrategyOptions } from '../../lib';
import { TokenEndpoint } from '../../lib/client/token-endpoint';
import { IdTokenSignature } from '../../lib/client/id-token-signature';
import { createTransport, type TransportOptions } from '../../lib/client/transport';
import { makeApp } from '../support/app';
import { fetchThroughProxy, startForwardProxy, type ForwardProxy } from '../support/forward-proxy';
import { idTokenClaims } from '../support/id-token';
import { signIdToken, signingKey, type SigningKey } from '../support/keys';
import { readmeSnippet } from '../support/readme';
import { TokenServer, tokenResponse } from '../support/token-server';

// Behind a corporate proxy: every request to JustLogin (token endpoint,
// JWKS) goes through the proxy the app names, as an http.Agent or a fetch.
// The proxy on 127.0.0.1 records each request that passed through it.

const CLIENT_ID = 'proxied-client';
const CLIENT_SECRET = 'proxied-secret-value';
const TOKEN_PATH = '/v1/auth/connect/token';
const JWKS_PATH = '/v1/auth/.well-known/openid-configuration/jwks';
const SNIPPETS = join(__dirname, '..', '.snippets');

/** passport-oauth2's `_oauth2`, protected in its types, public to JavaScript. */
const oauth2Of = (strategy: JustLoginStrategy) =>
  (strategy as unknown as { _oauth2: { setAgent(agent: Agent): void } })._oauth2;

let proxy: ForwardProxy;
let justlogin: TokenServer;
let key: SigningKey;
/** The nonce of the last authorization request, which JustLogin puts back in the id_token. */
let nonce: string | undefined;

beforeAll(async () => {
  key = await signingKey('proxy-key');
});
beforeEach(async () => {
  proxy = await startForwardProxy();
  justlogin = await TokenServer.start();
  nonce = undefined;
  // JustLogin on one origin: the token endpoint and the JWKS.
  justlogin.reply(async (received) =>
    received.url === JWKS_PATH
      ? { body: { keys: [key.jwk] } }
      : { body: tokenResponse({ id_token: await signIdToken(idTokenClaims(CLIENT_ID, { nonce }), key) }) },
  );
});
afterEach(async () => {
  await proxy.stop();
  await justlogin.stop();
});

const target = () => new URL(justlogin.origin).host;
const tunnelled = (...requests: string[]) =>
  requests.map((line) => ({ via: 'CONNECT', target: target(), request: line }));
const forwarded = (...requests: string[]) =>
  requests.map((line) => ({ via: 'forward', target: target(), request: line }));

describe('the token endpoint and the JWKS client', () => {
  async function exchangeAndVerify(options: TransportOptions) {
    const transport = createTransport(options);
    const endpoint = new TokenEndpoint({
      clientID: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      tokenURL: justlogin.origin + TOKEN_PATH,
      timeout: 2000,
      transport,
    });
    const { id_token } = await endpoint.request({ grant_type: 'authorization_code', code: 'the-code' });
    await new IdTokenSignature(justlogin.origin + JWKS_PATH, 2000, transport).verify(id_token!);
  }

  it('go through an HttpsProxyAgent', async () => {
    await exchangeAndVerify({ agent: new HttpsProxyAgent(proxy.url) });
    expect(proxy.passed).toEqual(tunnelled(`POST ${TOKEN_PATH}`, `GET ${JWKS_PATH}`));
    expect(justlogin.requests.map((r) => r.url)).toEqual([TOKEN_PATH, JWKS_PATH]);
  });

  it('go through a fetch that routes through the proxy', async () => {
    await exchangeAndVerify({ fetch: fetchThroughProxy(proxy.url) });
    expect(proxy.passed).toEqual(forwarded(`POST ${TOKEN_PATH}`, `GET ${JWKS_PATH}`));
  });

  it('go straight to JustLogin without either', async () => {
    await exchangeAndVerify({});
    expect(proxy.passed).toEqual([]);
    expect(justlogin.requests).toHaveLength(2);
  });
});

describe('a sign-in and a refresh', () => {
  const options = (overrides: Partial<JustLoginStrategyOptions> = {}) =>
    ({
      clientID: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      callbackURL: 'http://app.test/callback',
      baseURL: justlogin.origin,
      verifyIdTokenSignature: true,
      ...overrides,
    }) as JustLoginStrategyOptions;
  const verify = (_at: string, _rt: string | undefined, profile: { id: string }, done: (e: null, u: object) => void) =>
    done(null, { id: profile.id });

  /** /login, then the callback with the state JustLogin would echo; then a refresh with the strategy's client. */
  async function signInAndRefresh(strategy: JustLoginStrategy) {
    const browser = request.agent(makeApp(strategy));
    const location = new URL((await browser.get('/login')).headers.location);
    nonce = location.searchParams.get('nonce') ?? undefined;
    const state = location.searchParams.get('state') ?? '';
    const callback = await browser.get(`/callback?${new URLSearchParams({ code: 'the-code', state }).toString()}`);
    expect(callback.status).toBe(200);
    expect(callback.body).toEqual({ user: { id: 'user-42' } });
    await JustLoginRefresher.fromStrategy(strategy).refresh({ refreshToken: 'refresh-token-0001' });
  }

  it('go through the proxy with the README set-up: the agent option', async () => {
    // The README's snippet, required as written (`passport-justlogin` is this package), with this test's values.
    const file = join(SNIPPETS, 'corporate-proxy.js');
    mkdirSync(SNIPPETS, { recursive: true });
    writeFileSync(file, `${readmeSnippet('corporate-proxy')}\nmodule.exports = strategy;\n`);
    const saved = { ...process.env };
    Object.assign(process.env, {
      HTTPS_PROXY: proxy.url,
      JUSTLOGIN_CLIENT_ID: CLIENT_ID,
      JUSTLOGIN_CLIENT_SECRET: CLIENT_SECRET,
      JUSTLOGIN_CALLBACK_URL: 'http://app.test/callback',
      JUSTLOGIN_BASE_URL: justlogin.origin,
    });
    let strategy: JustLoginStrategy;
    try {
      strategy = require(file) as JustLoginStrategy; // eslint-disable-line @typescript-eslint/no-require-imports
    } finally {
      process.env = saved;
    }
    await signInAndRefresh(strategy);
    expect(proxy.passed).toEqual(tunnelled(`POST ${TOKEN_PATH}`, `GET ${JWKS_PATH}`, `POST ${TOKEN_PATH}`));
    expect(justlogin.requests.map((r) => r.form.grant_type ?? r.url)).toEqual([
      'authorization_code',
      JWKS_PATH,
      'refresh_token',
    ]);
  });

  it('go through the proxy set the passport-oauth2 way: strategy._oauth2.setAgent(agent)', async () => {
    const strategy = new JustLoginStrategy(options(), verify);
    oauth2Of(strategy).setAgent(new HttpsProxyAgent(proxy.url));
    await signInAndRefresh(strategy);
    expect(proxy.passed).toEqual(tunnelled(`POST ${TOKEN_PATH}`, `GET ${JWKS_PATH}`, `POST ${TOKEN_PATH}`));
  });

  it('go through the proxy with a fetch that routes through it', async () => {
    await signInAndRefresh(new JustLoginStrategy(options({ fetch: fetchThroughProxy(proxy.url) }), verify));
    expect(proxy.passed).toEqual(forwarded(`POST ${TOKEN_PATH}`, `GET ${JWKS_PATH}`, `POST ${TOKEN_PATH}`));
  });

  it('go straight to JustLogin without a proxy', async () => {
    await signInAndRefresh(new JustLoginStrategy(options(), verify));
    expect(proxy.passed).toEqual([]);
    expect(justlogin.requests).toHaveLength(3);
  });

  it('refuse setAgent on a strategy that sends with fetch, rather than ignore it', () => {
    const strategy = new JustLoginStrategy(options({ fetch: fetchThroughProxy(proxy.url) }), verify);
    expect(() => oauth2Of(strategy).setAgent(new HttpsProxyAgent(proxy.url))).toThrow(
      /^passport-justlogin: `setAgent` cannot route requests sent with the `fetch` option/,
    );
  });
});
