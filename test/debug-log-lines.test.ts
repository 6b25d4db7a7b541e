// The lines NODE_DEBUG=passport-justlogin prints, made in this process from the diagnostics messages by the
// function the package subscribes with (test/debug-log.test.ts runs the real thing in a child process).
import { format } from 'node:util';
import request from 'supertest';
import {
  backChannelLogout,
  JustLoginApi,
  JustLoginClient,
  JustLoginRefresher,
  JustLoginStrategy,
  MemorySessionIndex,
  type JustLoginVerifyWithProfile,
} from '../lib';
import { logEvents } from '../lib/debug-log';
import { CHANNELS } from '../lib/diagnostics';
import { signOutFlow } from '../lib/sign-out/sign-out';
import { makeApp } from './support/app';
import { fakeIdToken, idTokenClaims } from './support/id-token';
import { TokenServer, tokenResponse } from './support/token-server';

const CLIENT_ID = 'client-debug-lines';
const USER = '0BF91817E2E64B0C92F22FD24A9D4604';
const lines: string[] = [];
const debug = Object.assign((text: string, ...args: unknown[]) => lines.push(format(text, ...args)), {
  enabled: true,
});
logEvents(debug, CHANNELS);

let server: TokenServer;
beforeEach(async () => {
  server = await TokenServer.start();
  lines.length = 0;
});
afterEach(() => server.stop());

it('prints a line per request, sign-in and renewal, with its outcome', async () => {
  let nonce: string | null = null;
  server.reply((req) => {
    if (req.url.startsWith('/membership')) return { status: 404, body: { message: 'no such user' } };
    if (req.form.refresh_token === 'spent') return { status: 400, body: { error: 'invalid_grant' } };
    return { body: tokenResponse({ id_token: fakeIdToken(idTokenClaims(CLIENT_ID, { nonce })) }) };
  });
  const client = new JustLoginClient({ clientID: CLIENT_ID, clientSecret: 'secret-Dl9x', baseURL: server.origin });
  const verify: JustLoginVerifyWithProfile = (_at, _rt, profile, done) => done(null, { id: profile.id });
  const agent = request.agent(makeApp(new JustLoginStrategy({ client, callbackURL: '/callback' }, verify)));
  const login = new URL((await agent.get('/login')).headers.location);
  nonce = login.searchParams.get('nonce');
  await agent.get(`/callback?code=c1&state=${login.searchParams.get('state')}`).expect(200);
  await agent.get('/callback?code=c2&state=forged').expect(302);
  const refresher = new JustLoginRefresher({ client });
  const tokens = await refresher.refresh({ refreshToken: 'fresh' });
  await expect(refresher.refresh({ refreshToken: 'spent' })).rejects.toMatchObject({ code: 'invalid_grant' });
  await expect(new JustLoginApi({ refresher, tokens }).employees.get(USER)).rejects.toMatchObject({ status: 404 });

  const url = `url=${server.url}`;
  const ms = 'durationMs=\\d+\\.\\d';
  const expected = [
    `token grant=authorization_code ${url} status=200 expiresIn=3600 ${ms}`,
    `sign-in outcome=success ${ms}`,
    `sign-in outcome=failure code=EBADSTATE ${ms}`,
    `token grant=refresh_token ${url} status=200 expiresIn=3600 ${ms}`,
    'renewal outcome=renewed source=process',
    `token grant=refresh_token ${url} status=400 error=invalid_grant retryable=false reauthenticate=true ${ms}`,
    'renewal outcome=failed code=invalid_grant source=process',
    `api GET /membership/v3/users/\\{userGuid\\} status=404 attempt=1 renewed=false error=EHTTPSTATUS retryable=false reauthenticate=false ${ms}`,
  ];
  expect(lines).toHaveLength(expected.length);
  lines.forEach((line, i) => expect(line).toMatch(new RegExp(`^${expected[i]}$`)));
});

it('prints the key set and the discovery document read', async () => {
  server.reply((req) =>
    req.url.endsWith('/openid-configuration')
      ? { body: { issuer: `${server.origin}/v1/auth`, jwks_uri: `${server.origin}/keys` } }
      : { status: 200, body: 'not a key set' },
  );
  const client = new JustLoginClient({
    clientID: CLIENT_ID,
    clientSecret: 'secret-Dl9x',
    baseURL: server.origin,
    discovery: true,
    verifyIdTokenSignature: true,
  });
  await new JustLoginRefresher({ client }).refresh({ refreshToken: 'r' }).catch(() => undefined);
  expect(lines.slice(0, 2)).toEqual([
    expect.stringMatching(/^discovery url=\S+\/v1\/auth\/\.well-known\/openid-configuration status=200 durationMs=/),
    expect.stringMatching(/^keys url=\S+\/keys status=200 error=EBADRESPONSE retryable=true reauthenticate=false /),
  ]);
});

it('prints "unknown" for the code of an error that has none fit to print (one your onTokens threw)', async () => {
  server.reply({ body: tokenResponse() });
  const client = new JustLoginClient({ clientID: CLIENT_ID, clientSecret: 'secret-Dl9x', baseURL: server.origin });
  const failing = new JustLoginApi({
    refresher: new JustLoginRefresher({ client }),
    tokens: { accessToken: 'old', refreshToken: 'r', tokenType: 'Bearer', expiresAt: 1 },
    onTokens: () => {
      throw Object.assign(new Error('the session store is down'), { code: 'STORE\nDOWN' });
    },
  });
  await expect(failing.employees.get(USER)).rejects.toThrow('the session store is down');
  expect(lines.at(-1)).toMatch(
    /^api GET \S+ attempt=0 renewed=false error=unknown retryable=false reauthenticate=false /,
  );
});

it('prints a line per sign-out, its revocation and each back-channel logout', async () => {
  server.reply({ body: '' });
  const client = new JustLoginClient({ clientID: CLIENT_ID, clientSecret: 'secret-Dl9x', baseURL: server.origin });
  const tokens = { accessToken: 'at-Dl9x', refreshToken: 'rt-Dl9x', tokenType: 'Bearer', expiresAt: Date.now() };
  await signOutFlow<object>('signOutHandler', { client }, { tokens: () => tokens })({}, () => Promise.resolve());
  const logout = backChannelLogout({ client, sessions: new MemorySessionIndex(), destroySession: () => undefined });
  await logout(undefined);
  const ms = 'durationMs=\\d+\\.\\d';
  const expected = [
    `revocation url=${server.origin}/v1/auth/connect/revocation status=200 ${ms}`,
    `sign-out outcome=signed-out revoked=true endSession=true ${ms}`,
    `back-channel-logout outcome=refused code=ELOGOUTFORMAT sessions=0 ${ms}`,
  ];
  expect(lines).toHaveLength(expected.length);
  lines.forEach((line, i) => expect(line).toMatch(new RegExp(`^${expected[i]}$`)));
});
