// The Express pattern: JustLoginApi.perRequest gives each request a client bound to the tokens in
// its session and writes renewed tokens back there; against the sandbox with real tokens.
import express, { type ErrorRequestHandler, type Request } from 'express';
import session from 'express-session';
import request from 'supertest';
import {
  JustLoginApi,
  JustLoginClient,
  JustLoginRefresher,
  JustLoginError,
  type JustLoginApiError,
  toTokenSet,
  type JustLoginTokenSet,
} from '../../lib';
import { DEMO_USERS, startSandbox, type DemoUser, type RunningSandbox } from '../support/sandbox';
import { signInForTokens } from '../support/sandbox-tokens';
import { seeGuide } from '../support/guide';

const alice = DEMO_USERS.find((candidate) => candidate.username === 'alice')!;
const bob = DEMO_USERS.find((candidate) => candidate.username === 'bob')!;

type WithTokens = Request & { session: { justlogin?: JustLoginTokenSet } };

let sandbox: RunningSandbox;
let app: express.Express;
let store: session.MemoryStore;
/** Tokens of each demo user from a sign-in on the sandbox, by name, for the app's test sign-in route. */
const signIns = new Map<string, JustLoginTokenSet>();

const refreshes = () => sandbox.tokenRequests.filter((line) => line.includes('grant_type=refresh_token')).length;

async function signIn(demoUser: DemoUser, expiresAt: number) {
  const answer = await signInForTokens(sandbox, demoUser);
  signIns.set(demoUser.username, {
    ...toTokenSet(answer.access_token, answer.refresh_token, { ...answer }),
    expiresAt,
  });
  const agent = request.agent(app);
  await agent.post(`/test-sign-in/${demoUser.username}`).expect(204);
  return agent;
}

beforeAll(async () => {
  sandbox = await startSandbox();
  const client = new JustLoginClient({
    clientID: sandbox.clientID,
    clientSecret: sandbox.clientSecret,
    baseURL: sandbox.origin,
  });
  const refresher = new JustLoginRefresher({ client });

  // The app, as the README shows it.
  const justLogin = JustLoginApi.perRequest<WithTokens>(refresher, {
    get: (req) => req.session.justlogin,
    set: (req, tokens) => {
      req.session.justlogin = tokens;
    },
  });
  app = express();
  store = new session.MemoryStore();
  app.use(session({ secret: 'api-express-test-secret', resave: false, saveUninitialized: false, store }));
  app.post('/test-sign-in/:name', (req, res) => {
    (req as WithTokens).session.justlogin = signIns.get(req.params.name);
    res.status(204).end();
  });
  app.get('/people', async (req, res) => {
    const api = justLogin(req as WithTokens);
    const { items, pagination } = await api.employees.listPage({ include: ['department'], limit: 10 });
    const me = await api.employees.get((req.query.me as string) ?? '');
    res.json({
      me: me.fullName,
      people: items.map((employee) => [employee.fullName, employee.department?.name]),
      total: pagination.totalCount,
      expiresAt: (req as WithTokens).session.justlogin?.expiresAt,
    });
  });
  app.get('/me', async (req, res, next) => {
    try {
      res.json({ fullName: (await justLogin(req as WithTokens).employees.get(req.query.me as string)).fullName });
    } catch (err) {
      next(err);
    }
  });
  app.get('/signed-out-error', (req, res) => {
    try {
      justLogin(req as WithTokens);
      res.json({ thrown: false });
    } catch (err) {
      const { name, code, message, retryable, reauthenticate } = err as JustLoginApiError;
      res.json({
        thrown: true,
        name,
        code,
        message,
        retryable,
        reauthenticate,
        isJustLogin: err instanceof JustLoginError,
      });
    }
  });
  app.get('/pay', async (req, res) => {
    res.json(await justLogin(req as WithTokens).payroll.payInfo(req.query.of as string));
  });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    if (err instanceof JustLoginError && err.reauthenticate) res.status(401).json({ error: 'sign_in_again' });
    else if (err instanceof JustLoginError)
      res.status(err.retryable ? 503 : 502).json({ error: err.code, status: (err as { status?: number }).status });
    else res.status(500).json({ error: 'internal' });
  };
  app.use(onError);
});

afterAll(async () => {
  await sandbox?.stop();
});

/** The JustLogin tokens in the one session of the store that holds `accessToken` or was renewed from it. */
async function storedTokens(): Promise<JustLoginTokenSet[]> {
  const sessions = await new Promise<Record<string, { justlogin?: JustLoginTokenSet }>>((resolve, reject) =>
    store.all((err, all) => (err ? reject(new Error('the session store failed')) : resolve(all as never))),
  );
  return Object.values(sessions).flatMap((data) => (data.justlogin ? [data.justlogin] : []));
}

afterEach(async () => {
  await new Promise<void>((resolve) => store.clear(() => resolve()));
});

it('renews tokens that are due during the request and stores them in the session: the next request does not', async () => {
  const expiresAt = Math.floor(Date.now() / 1000) + 30;
  const agent = await signIn(alice, expiresAt);
  const before = refreshes();
  const first = await agent.get('/people').query({ me: alice.claims.UserGUID }).expect(200);
  expect(first.body.me).toBe('Alice Tan');
  expect(first.body.people).toHaveLength(10);
  expect(first.body.total).toBeGreaterThanOrEqual(120);
  expect(first.body.expiresAt).toBeGreaterThan(expiresAt);
  expect(refreshes() - before).toBe(1);

  const second = await agent.get('/people').query({ me: alice.claims.UserGUID }).expect(200);
  expect(second.body.expiresAt).toBe(first.body.expiresAt);
  expect(refreshes() - before).toBe(1);
});

it('concurrent requests of one session with due tokens renew once at the sandbox', async () => {
  const agent = await signIn(bob, Math.floor(Date.now() / 1000) - 5);
  const before = refreshes();
  const answers = await Promise.all(
    Array.from({ length: 5 }, () => agent.get('/people').query({ me: bob.claims.UserGUID })),
  );
  expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
  expect(refreshes() - before).toBe(1);
});

it('passes a 403 on as an error without the data, and a request without tokens as sign-in-again', async () => {
  const agent = await signIn(bob, Math.floor(Date.now() / 1000) + 3600);
  const refused = await agent.get('/pay').query({ of: bob.claims.UserGUID }).expect(502);
  expect(refused.body).toEqual({ error: 'EHTTPSTATUS', status: 403 });
  const allowed = await (
    await signIn(alice, Math.floor(Date.now() / 1000) + 3600)
  )
    .get('/pay')
    .query({ of: bob.claims.UserGUID })
    .expect(200);
  expect(allowed.body.userGUID).toBe(bob.claims.UserGUID);
  await request(app).get('/pay').query({ of: bob.claims.UserGUID }).expect(401, { error: 'sign_in_again' });
});

it('refuses bad options at once', () => {
  const refresher = new JustLoginRefresher({ clientID: 'c', clientSecret: 's', baseURL: sandbox.origin });
  expect(() => JustLoginApi.perRequest(refresher, { get: () => undefined } as never)).toThrow(/`set` is required/);
  expect(() => JustLoginApi.perRequest({} as never, { get: () => undefined, set: () => undefined })).toThrow(
    /`refresher` must be a JustLoginRefresher/,
  );
});

it('writes the renewed tokens to the session store, in place of the spent ones', async () => {
  const agent = await signIn(alice, Math.floor(Date.now() / 1000) - 5);
  const signedIn = signIns.get(alice.username)!;
  await agent.get('/me').query({ me: alice.claims.UserGUID }).expect(200, { fullName: 'Alice Tan' });
  const [stored, ...others] = await storedTokens();
  expect(others).toHaveLength(0);
  expect(stored.accessToken).not.toBe(signedIn.accessToken);
  expect(stored.refreshToken).not.toBe(signedIn.refreshToken);
  expect(stored.expiresAt).toBeGreaterThan(Date.now() / 1000 + 60);
  // The spent refresh token is gone from the session: JustLogin would refuse it.
  expect(JSON.stringify(await storedTokens())).not.toContain(signedIn.refreshToken!);
});

it('tells a request without tokens that the user must sign in, without calling JustLogin', async () => {
  const before = sandbox.tokenRequests.length;
  const { body } = await request(app).get('/signed-out-error').expect(200);
  expect(body).toEqual({
    thrown: true,
    name: 'JustLoginApiError',
    code: 'ENOTOKENS',
    message: `The request has no JustLogin tokens; the user must sign in with JustLogin${seeGuide('ENOTOKENS')}`,
    retryable: false,
    reauthenticate: true,
    isJustLogin: true,
  });
  expect(sandbox.tokenRequests.length).toBe(before);
});

it('answers sign-in-again when JustLogin refuses the refresh token, and keeps the session as it was', async () => {
  const agent = await signIn(bob, Math.floor(Date.now() / 1000) - 5);
  signIns.set('bob-spent', { ...signIns.get(bob.username)!, refreshToken: 'not-a-refresh-token' });
  await agent.post('/test-sign-in/bob-spent').expect(204);
  await agent.get('/me').query({ me: bob.claims.UserGUID }).expect(401, { error: 'sign_in_again' });
  const [stored] = await storedTokens();
  expect(stored.refreshToken).toBe('not-a-refresh-token');
});
