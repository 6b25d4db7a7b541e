import * as http from 'node:http';
import { inspect } from 'node:util';
import passport from 'passport';
import request from 'supertest';
import { JustLoginClient, JustLoginRefresher, JustLoginStrategy, type JustLoginVerifyWithProfile } from '../lib';
import { TokenEndpoint } from '../lib/http';
import { makeApp } from './support/app';
import { fakeIdToken, idTokenClaims } from './support/id-token';
import { TokenServer, tokenResponse } from './support/token-server';

// One JustLogin client holds the app's identity, JustLogin's endpoints and the
// id_token checks; the strategy and the refresher share it, and nothing they
// hand out can make a client-authenticated token request on its own.

const CLIENT_ID = 'client-abc';
const CLIENT_SECRET = 'client-secret-Hq7Lw2';

let server: TokenServer;
beforeEach(async () => {
  server = await TokenServer.start();
});
afterEach(() => server.stop());

const verify: JustLoginVerifyWithProfile = (_at, _rt, profile, done) => done(null, { id: profile.id });
const clientOptions = () => ({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, baseURL: server.origin });
const clientFor = (overrides: object = {}) => new JustLoginClient({ ...clientOptions(), ...overrides });

/** Every object reachable from `root` through own properties (any key, enumerable or not) and prototypes' fields. */
function reachable(root: unknown): Set<object> {
  const seen = new Set<object>();
  const visit = (value: unknown) => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return;
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && 'value' in descriptor) visit(descriptor.value);
    }
    visit(Object.getPrototypeOf(value));
  };
  visit(root);
  return seen;
}

describe('JustLoginClient', () => {
  it('resolves the endpoints and settings once', () => {
    const client = clientFor({ issuer: 'https://apis.justlogin.com/v1/auth', timeout: 5000, clockTolerance: 30 });
    expect(client).toMatchObject({
      clientID: CLIENT_ID,
      baseURL: server.origin,
      authorizationURL: `${server.origin}/v1/auth/connect/authorize`,
      tokenURL: `${server.origin}/v1/auth/connect/token`,
      issuer: 'https://apis.justlogin.com/v1/auth',
      timeout: 5000,
      clockTolerance: 30,
    });
    expect(new JustLoginClient({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET })).toMatchObject({
      tokenURL: 'https://apis.justlogin.com/v1/auth/connect/token',
      timeout: 10_000,
      clockTolerance: 60,
    });
  });

  it('never shows the client secret to util.inspect or JSON.stringify', () => {
    const client = clientFor();
    for (const text of [inspect(client, { showHidden: true, depth: Infinity }), JSON.stringify(client)]) {
      expect(text).not.toContain(CLIENT_SECRET);
    }
  });

  it.each([
    ['clientID', { clientID: '' }],
    ['clientSecret', { clientSecret: undefined }],
    ['timeout', { timeout: -1 }],
    ['clockTolerance', { clockTolerance: Number.NaN }],
    ['issuer', { issuer: '' }],
    ['jwksURL', { jwksURL: 'file:///etc/passwd' }],
  ])('throws a TypeError naming `%s`', (option, overrides) => {
    expect(() => clientFor(overrides)).toThrow(TypeError);
    expect(() => clientFor(overrides)).toThrow(`\`${option}\``);
  });
});

describe('one client for sign-in and renewal', () => {
  it('a strategy given `client` signs in with it, and a refresher given the same client renews with it', async () => {
    const client = clientFor();
    const strategy = new JustLoginStrategy({ client, callbackURL: '/callback' }, verify);
    expect(strategy.client).toBe(client);
    const agent = request.agent(makeApp(strategy));
    const login = new URL((await agent.get('/login')).headers.location);
    expect(login.origin + login.pathname).toBe(client.authorizationURL);
    const nonce = login.searchParams.get('nonce');
    server.reply({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims(CLIENT_ID, { nonce })) }) });
    await agent.get(`/callback?code=c1&state=${login.searchParams.get('state')}`).expect(200);

    const refresher = new JustLoginRefresher({ client });
    expect(refresher.client).toBe(client);
    await refresher.refresh({ refreshToken: 'refresh-token-1' });

    expect(server.requests.map((r) => [r.form.grant_type, r.form.client_id, r.form.client_secret])).toEqual([
      ['authorization_code', CLIENT_ID, CLIENT_SECRET],
      ['refresh_token', CLIENT_ID, CLIENT_SECRET],
    ]);
  });

  it('fromStrategy gives the refresher the strategy’s very client', () => {
    const strategy = new JustLoginStrategy({ client: clientFor(), callbackURL: '/callback' }, verify);
    expect(JustLoginRefresher.fromStrategy(strategy).client).toBe(strategy.client);
  });

  it('refuses a `client` that is not a JustLoginClient', () => {
    const fake = { clientID: CLIENT_ID, tokenURL: server.url } as unknown as JustLoginClient;
    expect(() => new JustLoginStrategy({ client: fake, callbackURL: '/callback' }, verify)).toThrow(/`client`/);
    expect(() => new JustLoginRefresher({ client: fake })).toThrow(/`client`/);
    expect(() => new JustLoginRefresher({ client: Object.create(JustLoginClient.prototype) })).toThrow(TypeError);
  });

  it('nothing reachable from a strategy, its passport, a client or a refresher is a token endpoint', () => {
    const client = clientFor();
    const strategy = new JustLoginStrategy({ client, callbackURL: '/callback' }, verify);
    const authenticator = new passport.Passport();
    authenticator.use(strategy);
    const refresher = JustLoginRefresher.fromStrategy(strategy);
    for (const root of [strategy, authenticator, client, refresher]) {
      const objects = [...reachable(root)];
      expect(objects.filter((value) => value instanceof TokenEndpoint)).toEqual([]);
      expect(objects.filter((value) => typeof (value as { send?: unknown }).send === 'function')).toEqual([]);
    }
  });
});

describe('transport', () => {
  /** A node:http agent that counts the connections it opens. */
  class CountingAgent extends http.Agent {
    connections = 0;
    override createConnection(...args: Parameters<http.Agent['createConnection']>) {
      this.connections += 1;
      return super.createConnection(...args);
    }
  }

  /** Signs in through `strategy` against the token server; returns the callback's status. */
  async function signIn(strategy: JustLoginStrategy): Promise<number> {
    const agent = request.agent(makeApp(strategy));
    const login = new URL((await agent.get('/login')).headers.location);
    const nonce = login.searchParams.get('nonce');
    server.reply({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims(CLIENT_ID, { nonce })) }) });
    return (await agent.get(`/callback?code=c1&state=${login.searchParams.get('state')}`)).status;
  }

  it('sends the code exchange and the refresh through the `fetch` option', async () => {
    const seen: string[] = [];
    const recording = (input: string, init: RequestInit) => {
      seen.push(`${init.method} ${input}`);
      return fetch(input, init);
    };
    const client = clientFor({ fetch: recording });
    expect(await signIn(new JustLoginStrategy({ client, callbackURL: '/callback' }, verify))).toBe(200);
    await new JustLoginRefresher({ client }).refresh({ refreshToken: 'refresh-token-1' });
    expect(seen).toEqual([`POST ${server.url}`, `POST ${server.url}`]);
    expect(server.requests.map((r) => r.form.grant_type)).toEqual(['authorization_code', 'refresh_token']);
  });

  it('opens its connections through the `agent` option', async () => {
    const agent = new CountingAgent();
    await new JustLoginRefresher({ client: clientFor({ agent }) }).refresh({ refreshToken: 'refresh-token-1' });
    expect(agent.connections).toBe(1);
  });

  it('honours passport-oauth2’s strategy._oauth2.setAgent for the sign-in and for renewals', async () => {
    const strategy = new JustLoginStrategy({ ...clientOptions(), callbackURL: '/callback' }, verify);
    const agent = new CountingAgent();
    (strategy as unknown as { _oauth2: { setAgent(agent: http.Agent): void } })._oauth2.setAgent(agent);
    expect(await signIn(strategy)).toBe(200);
    expect(agent.connections).toBe(1);
    await JustLoginRefresher.fromStrategy(strategy).refresh({ refreshToken: 'refresh-token-1' });
    expect(agent.connections).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it('refuses setAgent with a clear TypeError when requests go through `fetch`', () => {
    const strategy = new JustLoginStrategy({ client: clientFor({ fetch }), callbackURL: '/callback' }, verify);
    const oauth2 = (strategy as unknown as { _oauth2: { setAgent(agent: http.Agent): void } })._oauth2;
    expect(() => oauth2.setAgent(new http.Agent())).toThrow(TypeError);
    expect(() => oauth2.setAgent(new http.Agent())).toThrow(/fetch/);
  });
});
