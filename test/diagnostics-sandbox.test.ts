// Everything the package publishes on its diagnostics channels through a whole life against the sandbox:
// sign-ins (one refused), renewals (one refused), an API walk with a retry, a renewal on the way and a
// failure, a sign-out through the Express handler (revoking the refresh token, ending JustLogin's session)
// and back-channel logouts (one ending a session, its replay refused). Every message, searched deeply,
// must hold none of the secrets and none of the answers that went over the wire: tokens, codes,
// verifiers, the nonce and state, the client secret, session cookies, the logout token, token and API
// response bodies. The channels are those lib/diagnostics.ts names, so a channel added there is searched
// here too.
import type { Server } from 'node:http';
import { inspect } from 'node:util';
import express from 'express';
import request from 'supertest';
import {
  backChannelLogoutHandler,
  JustLoginApi,
  JustLoginClient,
  JustLoginRefresher,
  JustLoginStrategy,
  MemorySessionIndex,
  signOutHandler,
  toTokenSet,
  type FetchLike,
  type JustLoginTokenSet,
} from '../lib';
import { retryClock } from '../lib/api/retry';
import { decodeIdToken } from '../lib/client/id-token';
import { CHANNELS } from '../lib/diagnostics';
import { makeApp } from './support/app';
import { recordChannels, type Recorder } from './support/diagnostics';
import { freePort } from './support/free-port';
import { DEMO_USERS, startSandbox, type RunningSandbox } from './support/sandbox';
import { signInRecordingCallback } from './support/sandbox-sign-in';

const alice = DEMO_USERS.find((user) => user.username === 'alice')!;

let sandbox: RunningSandbox;
let port: number;
let server: Server;
let recorder: Recorder;
/** Every value that must never be published. */
const secrets = new Set<string>();
/** The names of the secret parameters seen in token requests. */
const sent = new Set<string>();
/** Session cookies the app was sent. */
const cookies: string[] = [];
let signedIn: JustLoginTokenSet;

/**
 * Keeps what an answer holds: the whole text, and each string of 8 characters or more in a successful
 * one (an OAuth error's code and description go into the error's message, as they should).
 */
function keepAnswer(text: string, ok: boolean): void {
  secrets.add(text);
  if (!ok) return;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return;
  }
  const walk = (value: unknown): void => {
    if (typeof value === 'string' && value.length >= 8) secrets.add(value);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
  };
  walk(json);
}

/** A fetch that keeps every secret sent to JustLogin and every answer's body. */
const recordingFetch: FetchLike = async (input, init) => {
  const bearer = /^Bearer (.+)$/.exec(init.headers.Authorization ?? '');
  if (bearer) secrets.add(bearer[1]);
  const form = init.headers['Content-Type'] === 'application/x-www-form-urlencoded' ? init.body : undefined;
  for (const [name, value] of new URLSearchParams(form ?? '')) {
    if (['code', 'code_verifier', 'refresh_token', 'client_secret', 'token'].includes(name)) {
      secrets.add(value);
      sent.add(name);
    }
  }
  const response = await fetch(input, init);
  const text = await response.clone().text();
  if (input.includes('/.well-known/')) secrets.add(text);
  else if (text) keepAnswer(text, response.status >= 200 && response.status < 300);
  return response;
};

/** Signs alice in on the sandbox's pages through the app, answering `consent`; returns the app's answer. */
async function signIn(consent = true) {
  const agent = request.agent(`http://localhost:${port}`);
  const { response, callback } = await signInRecordingCallback(agent, '/login', alice, consent);
  for (const name of ['code', 'state']) {
    const value = callback.params.get(name);
    if (value) secrets.add(value);
  }
  return { agent, response };
}

beforeAll(async () => {
  port = await freePort();
  sandbox = await startSandbox({
    JUSTLOGIN_SANDBOX_REDIRECT_URIS: `http://localhost:${port}/callback`,
    SANDBOX_API_CONTROL: '1',
    SANDBOX_BACKCHANNEL_LOGOUT_URI: `http://127.0.0.1:${port}/backchannel-logout`,
  });
  secrets.add(sandbox.clientSecret);
  const client = new JustLoginClient({
    clientID: sandbox.clientID,
    clientSecret: sandbox.clientSecret,
    baseURL: sandbox.origin,
    discovery: true,
    verifyIdTokenSignature: true,
    fetch: recordingFetch,
  });
  const strategy = new JustLoginStrategy(
    { client, callbackURL: `http://localhost:${port}/callback` },
    (accessToken, refreshToken, params, profile, done) =>
      done(null, { id: profile.id, tokens: toTokenSet(accessToken, refreshToken, params) }),
  );
  const sessions = new MemorySessionIndex();
  const app = makeApp(strategy, {
    onSuccess: (req) => {
      cookies.push(req.headers.cookie ?? '');
      signedIn = (req.user as { tokens: JustLoginTokenSet }).tokens;
      void sessions.add(req.sessionID, decodeIdToken(signedIn.idToken).claims);
    },
  });
  const refresher = new JustLoginRefresher({ client });
  // makeApp has no passport.session(): the sign-out reads the tokens from the session itself.
  const tokensOf = (req: express.Request) =>
    (req.session as unknown as { passport?: { user?: { tokens?: JustLoginTokenSet } } }).passport?.user?.tokens;
  app.post('/logout', signOutHandler<express.Request>({ refresher, sessions, tokens: tokensOf }));
  const loggedOut: Promise<void>[] = [];
  const logoutTokens: string[] = [];
  app.post('/backchannel-logout', express.urlencoded({ extended: false }), (req, res, next) => {
    logoutTokens.push((req.body as { logout_token: string }).logout_token);
    secrets.add(logoutTokens.at(-1)!);
    loggedOut.push(new Promise((resolve) => res.on('finish', () => resolve())));
    next();
  });
  app.post('/backchannel-logout', backChannelLogoutHandler({ client, sessions, destroySession: () => undefined }));
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(port, '127.0.0.1', () => resolve(listening));
  });
  recorder = recordChannels();
  jest.spyOn(retryClock, 'sleep').mockResolvedValue(undefined);

  // Sign-ins: one completed, one refused on the consent page, one with a forged state.
  const { agent, response } = await signIn();
  expect(response.status).toBe(200);
  secrets.add(decodeIdToken(signedIn.idToken).claims.nonce as string);
  expect((await signIn(false)).response.headers.location).toBe('/failed');
  expect((await agent.get('/callback?code=made-up-code&state=forged')).headers.location).toBe('/failed');

  // Renewals: renewed, then remembered for the spent refresh token; a refresher that forgot it is refused.
  const renewed = await refresher.refresh({ refreshToken: signedIn.refreshToken!, idToken: signedIn.idToken });
  await refresher.ensureFresh({ ...signedIn, expiresAt: 0 });

  // The API: a walk, a retry after a 503, a renewal the expired access token needs, a refused call.
  const api = new JustLoginApi({ refresher, tokens: renewed });
  await api.employees.me();
  let pages = 0;
  for await (const _employee of api.employees.list({ limit: 50, include: ['department'] })) pages += 1;
  expect(pages).toBeGreaterThan(50);
  await api.payroll.payInfo();
  await api.leave.assignedLeaveTypes();
  await fetch(`${sandbox.origin}/_sandbox/api-faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 503, count: 1 }),
  });
  await api.employees.me();
  const renewing = new JustLoginApi({ refresher, tokens: { ...api.tokens, expiresAt: 0 } });
  await renewing.employees.me();
  await expect(renewing.employees.get('0'.repeat(32))).rejects.toMatchObject({ code: 'EHTTPSTATUS' });

  // A refresh token spent twice without the grace window: JustLogin refuses it.
  const forgetful = new JustLoginRefresher({ client, graceMs: 0 });
  await expect(forgetful.refresh({ refreshToken: signedIn.refreshToken! })).rejects.toMatchObject({
    code: 'invalid_grant',
  });

  // A sign-out through the Express handler: the refresh token revoked, the browser sent to end JustLogin's session.
  const leaving = await signIn();
  const signOut = await leaving.agent.post('/logout');
  expect(signOut.status).toBe(303);
  const endSession = new URL(signOut.headers.location);
  expect(endSession.pathname).toBe('/v1/auth/connect/endsession');
  for (const value of endSession.searchParams.values()) secrets.add(value);
  // Back-channel logout: alice signed out everywhere ends her first session; the same token again is refused.
  await fetch(`${sandbox.origin}/_sandbox/sign-out`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ companyId: alice.companyId, username: alice.username }),
  });
  await Promise.all(loggedOut);
  expect(logoutTokens).toHaveLength(1);
  await agent.post('/backchannel-logout').type('form').send({ logout_token: logoutTokens[0] }).expect(400);
  for (const cookie of cookies)
    secrets.add(decodeURIComponent(/connect\.sid=([^;]+)/.exec(cookie)?.[1] ?? 'no session cookie'));
  recorder.stop();
}, 60_000);

afterAll(async () => {
  recorder?.stop();
  jest.restoreAllMocks();
  await new Promise((resolve) => server?.close(resolve));
  await sandbox?.stop();
});

/** Each place in `value` (its own properties, an error's too, at any depth) where a secret appears. */
function leaks(value: unknown, path: string, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') {
    return [...secrets]
      .filter((secret) => value.includes(secret))
      .map((secret) => `${path} holds ${secret.slice(0, 24)}…`);
  }
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return [];
  seen.add(value);
  const found: string[] = [];
  for (const key of Reflect.ownKeys(value)) {
    const own = Object.getOwnPropertyDescriptor(value, key);
    if (own && 'value' in own) found.push(...leaks(own.value, `${path}.${String(key)}`, seen));
  }
  if (value instanceof Map || value instanceof Set) found.push(...leaks([...value], `${path}[entries]`, seen));
  return found;
}

it('publishes on every channel, each kind of event the walk went through', () => {
  const names = Object.values(CHANNELS);
  for (const name of names)
    expect([name, recorder.all.filter((r) => r.channel === name).length]).not.toEqual([name, 0]);
  expect(recorder.of(CHANNELS.signIn).map((m) => [m.outcome, m.code])).toEqual([
    ['success', undefined],
    ['failure', 'access_denied'],
    ['failure', 'EBADSTATE'],
    ['success', undefined],
  ]);
  expect(recorder.of(CHANNELS.renewal).map((m) => m.outcome)).toEqual(
    expect.arrayContaining(['renewed', 'remembered', 'failed']),
  );
  expect(recorder.of(CHANNELS.token).map((m) => m.grantType)).toEqual(
    expect.arrayContaining(['authorization_code', 'refresh_token']),
  );
  expect(recorder.of(CHANNELS.token, 'error')).toHaveLength(1);
  expect(recorder.of(CHANNELS.api).some((m) => (m.attempt as number) > 1)).toBe(true);
  expect(recorder.of(CHANNELS.api).some((m) => m.renewed === true)).toBe(true);
  expect(recorder.of(CHANNELS.api, 'error')).toHaveLength(1);
  expect(recorder.of(CHANNELS.revocation)).toEqual([
    { origin: sandbox.origin, path: '/v1/auth/connect/revocation', status: 200 },
  ]);
  expect(recorder.of(CHANNELS.signOut)).toEqual([
    { outcome: 'signed-out', revoked: true, endSession: true, durationMs: expect.any(Number) },
  ]);
  expect(recorder.of(CHANNELS.backChannelLogout)).toEqual([
    { outcome: 'ended', sessions: 1, durationMs: expect.any(Number) },
    { outcome: 'refused', code: 'ELOGOUTREPLAY', sessions: 0, durationMs: expect.any(Number) },
  ]);
});

it('knows the secrets it searches for: tokens, codes, the verifier, the nonce, cookies and bodies', () => {
  expect(signedIn.accessToken.length).toBeGreaterThan(20);
  for (const value of [signedIn.accessToken, signedIn.refreshToken!, signedIn.idToken!])
    expect(secrets).toContain(value);
  expect(secrets).not.toContain('no session cookie');
  expect(cookies).toHaveLength(2);
  expect(secrets).toContain(signedIn.idToken); // the sign-out's id_token_hint
  expect([...sent].sort()).toEqual(['client_secret', 'code', 'code_verifier', 'refresh_token', 'token']);
  expect(secrets.size).toBeGreaterThan(100);
});

it('publishes no secret and nothing of an answer, in any message, at any depth', () => {
  const found = recorder.all.flatMap((recorded, i) => [
    ...leaks(recorded.message, `${recorded.channel} #${i}`),
    ...leaks(inspect(recorded.message, { depth: Infinity, showHidden: true }), `${recorded.channel} #${i} inspected`),
  ]);
  expect(found).toEqual([]);
});
