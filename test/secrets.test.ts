import { inspect } from 'node:util';
import passport from 'passport';
import request from 'supertest';
import { JustLoginStrategy, type JustLoginVerifyWithProfile } from '../lib';
import { makeApp } from './support/app';
import { fakeIdToken, idTokenClaims } from './support/id-token';
import { TokenServer, tokenResponse } from './support/token-server';

// The client secret goes into token request bodies and nowhere else: no object
// the package hands out (the strategy, or a passport that uses it) shows it.

const CLIENT_ID = 'client-abc';
const CLIENT_SECRET = 'super-secret-value-123';

let server: TokenServer;
beforeEach(async () => {
  server = await TokenServer.start();
});
afterEach(() => server.stop());

const verify: JustLoginVerifyWithProfile = (_at, _rt, profile, done) => done(null, { id: profile.id });

function strategy() {
  return new JustLoginStrategy(
    {
      clientID: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      callbackURL: 'http://app.test/callback',
      baseURL: server.origin,
    },
    verify,
  );
}

/** Every way a program commonly prints or serialises an object. */
function renderings(value: object): string[] {
  return [
    inspect(value),
    inspect(value, { depth: Infinity }),
    inspect(value, { depth: Infinity, showHidden: true, getters: true }),
    JSON.stringify(value, (_key, v: unknown) => (typeof v === 'function' ? String(v) : v)),
  ];
}

it('util.inspect and JSON.stringify of the strategy never show the client secret', () => {
  for (const text of renderings(strategy())) expect(text).not.toContain(CLIENT_SECRET);
});

it('util.inspect and JSON.stringify of a passport that uses the strategy never show the client secret', () => {
  const authenticator = new passport.Passport();
  authenticator.use(strategy());
  for (const text of renderings(authenticator)) expect(text).not.toContain(CLIENT_SECRET);
});

it('still sends the client secret in the token request body, so sign-in works', async () => {
  const agent = request.agent(makeApp(strategy()));
  const login = new URL((await agent.get('/login')).headers.location);
  const nonce = login.searchParams.get('nonce');
  server.reply({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims(CLIENT_ID, { nonce })) }) });
  const callback = await agent.get(`/callback?code=c1&state=${login.searchParams.get('state')}`);
  expect(callback.status).toBe(200);
  expect(callback.body.user).toEqual({ id: 'user-42' });
  expect(server.requests).toHaveLength(1);
  expect(server.requests[0].form.client_secret).toBe(CLIENT_SECRET);
});
