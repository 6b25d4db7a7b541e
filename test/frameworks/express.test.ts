import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import { IdTokenError, JustLoginOptionsError } from '../../lib/errors';
import { keepTokensFresh, type KeepTokensFreshOptions } from '../../lib/frameworks/express';
import { JustLoginRefresher } from '../../lib/renewal/refresher';
import type { JustLoginTokenSet } from '../../lib/token-set';
import { fakeIdToken, idTokenClaims } from '../support/id-token';
import { rotatingTokens } from '../support/rotating-tokens';
import { TokenServer, tokenResponse } from '../support/token-server';

/** keepTokensFresh's options with Express's request and response types. */
type ExpressOptions = KeepTokensFreshOptions<Request, Response>;

interface TestUser {
  id: string;
  tokens: JustLoginTokenSet;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

const freshTokens = (): JustLoginTokenSet => ({
  accessToken: 'access-token-current',
  refreshToken: 'refresh-token-current',
  tokenType: 'Bearer',
  expiresIn: 3600,
  expiresAt: nowSeconds() + 3600,
});

const expiredTokens = (overrides: Partial<JustLoginTokenSet> = {}): JustLoginTokenSet => ({
  ...freshTokens(),
  expiresAt: nowSeconds() - 10,
  ...overrides,
});

const userOf = (req: Request) => req.user as TestUser | undefined;

let server: TokenServer;
let refresher: JustLoginRefresher;

beforeEach(async () => {
  server = await TokenServer.start();
  server.reply({ body: tokenResponse({ access_token: 'access-token-new', refresh_token: 'refresh-token-new' }) });
  refresher = new JustLoginRefresher({
    clientID: 'client-id',
    clientSecret: 'client-secret-value',
    tokenURL: server.url,
  });
});

afterEach(async () => {
  await server.stop();
});

/**
 * An Express 5 app with sessions and Passport, as an app using this package
 * has them: `POST /login` signs in a user with `tokens`, `GET /api` answers with
 * the access token the route sees, errors answer 502 with their code. `before`
 * runs just before `keepTokensFresh`.
 */
function appWith(
  tokens: JustLoginTokenSet,
  { before, ...options }: Partial<ExpressOptions> & { before?: express.RequestHandler } = {},
) {
  const passport = new Passport();
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: TestUser, done) => done(null, user));
  const set = jest.fn(async (req: Request, next: JustLoginTokenSet) => {
    await new Promise(setImmediate); // an asynchronous store: the route must wait for it
    userOf(req)!.tokens = next;
  });
  const route = jest.fn((req: Request, res: Response) => {
    res.json({ accessToken: userOf(req)?.tokens.accessToken ?? null });
  });

  const app = express();
  app.use(session({ secret: 'session-secret', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.post('/login', (req, res, next) => {
    req.login({ id: 'user-1', tokens } satisfies TestUser, (err) => (err ? next(err) : res.sendStatus(204)));
  });
  if (before) app.use(before);
  app.use(keepTokensFresh(refresher, { get: (req) => userOf(req)?.tokens, set, ...options }));
  app.get('/api', route);
  app.use((err: { code?: string; retryable?: boolean }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(502).json({ code: err.code, retryable: err.retryable });
  });
  return { app, set, route };
}

async function signedIn(app: express.Express) {
  const agent = request.agent(app);
  await agent.post('/login').expect(204);
  return agent;
}

/** A `get` that holds every request until `count` requests have asked, so they all reach the refresh together. */
function getWhenAllArrived(count: number): ExpressOptions['get'] {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return async (req) => {
    arrived += 1;
    if (arrived === count) open();
    await opened;
    return userOf(req)?.tokens;
  };
}

it('requires get and set', () => {
  expect(() => keepTokensFresh(refresher, {} as ExpressOptions)).toThrow(JustLoginOptionsError);
});

it('reports every bad option at once, with a did-you-mean for a misspelt one', () => {
  const options = { get: () => undefined, set: 'tokens', skewMS: 30_000, onReauthenticate: true };
  let error: unknown;
  try {
    keepTokensFresh(refresher, options as unknown as ExpressOptions);
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(JustLoginOptionsError);
  expect((error as JustLoginOptionsError).problems).toEqual([
    '`skewMS` is not an option; did you mean `skewMs`?',
    '`set` must be a function',
    '`onReauthenticate` must be a function',
  ]);
  expect(() => keepTokensFresh(refresher, { get: () => undefined, set: () => undefined, skewMs: -1 })).toThrow(
    /^passport-justlogin: `skewMs` must be a whole number of milliseconds, 0 or more \(at most 2147483647\) \(keepTokensFresh\) \(see \S+#ebadoptions\)$/,
  );
  const notARefresher = {} as JustLoginRefresher;
  expect(() => keepTokensFresh(notARefresher, { get: () => undefined, set: () => undefined })).toThrow(
    /^passport-justlogin: `refresher` must have a method `ensureFresh` \(keepTokensFresh\) \(see \S+#ebadoptions\)$/,
  );
});

it('lets a request without tokens through', async () => {
  const { app, set } = appWith(freshTokens());

  await request(app).get('/api').expect(200, { accessToken: null });

  expect(set).not.toHaveBeenCalled();
  expect(server.requests).toHaveLength(0);
});

it('lets a request with fresh tokens through without a refresh', async () => {
  const { app, set } = appWith(freshTokens());
  const agent = await signedIn(app);

  await agent.get('/api').expect(200, { accessToken: 'access-token-current' });

  expect(set).not.toHaveBeenCalled();
  expect(server.requests).toHaveLength(0);
});

it('holds a request with expiring tokens until they are renewed and stored', async () => {
  const { app, set } = appWith(expiredTokens());
  const agent = await signedIn(app);

  await agent.get('/api').expect(200, { accessToken: 'access-token-new' });

  expect(server.requests).toHaveLength(1);
  expect(server.requests[0].form.refresh_token).toBe('refresh-token-current');
  expect(server.requests[0].headers.authorization).toBe('Bearer access-token-current');
  expect(set).toHaveBeenCalledTimes(1);
  expect(set.mock.calls[0][1]).toMatchObject({ accessToken: 'access-token-new', refreshToken: 'refresh-token-new' });

  // The session now holds the renewed tokens: no second refresh.
  await agent.get('/api').expect(200, { accessToken: 'access-token-new' });
  expect(server.requests).toHaveLength(1);
  expect(set).toHaveBeenCalledTimes(1);
});

it('renews once for concurrent requests, and each request gets and stores the new tokens once', async () => {
  const count = 5;
  const { app, set } = appWith(expiredTokens(), { get: getWhenAllArrived(count) });
  const agent = await signedIn(app);

  const responses = await Promise.all(Array.from({ length: count }, () => agent.get('/api')));

  for (const response of responses) expect(response.body).toEqual({ accessToken: 'access-token-new' });
  expect(server.requests).toHaveLength(1);
  expect(set).toHaveBeenCalledTimes(count);
  const requests = new Set(set.mock.calls.map(([req]) => req));
  expect(requests.size).toBe(count);
  for (const [, tokens] of set.mock.calls) expect(tokens).toBe(set.mock.calls[0][1]);
});

it('signs the user out and answers 401 when JustLogin refuses the refresh token', async () => {
  server.reply({ status: 400, body: { error: 'invalid_grant' } });
  const { app, set, route } = appWith(expiredTokens());
  const agent = await signedIn(app);

  await agent.get('/api').expect(401, { error: 'reauthentication_required' });

  expect(route).not.toHaveBeenCalled();
  expect(set).not.toHaveBeenCalled();
  await agent.get('/api').expect(200, { accessToken: null }); // signed out
  expect(server.requests).toHaveLength(1);
});

it('answers 401 without a request when there is no refresh token', async () => {
  const { app, route } = appWith(expiredTokens({ refreshToken: undefined }));
  const agent = await signedIn(app);

  await agent.get('/api').expect(401, { error: 'reauthentication_required' });

  expect(route).not.toHaveBeenCalled();
  expect(server.requests).toHaveLength(0);
});

it('answers 401 when the app has no req.logout', async () => {
  server.reply({ status: 400, body: { error: 'invalid_grant' } });
  const app = express();
  app.use(keepTokensFresh(refresher, { get: () => expiredTokens(), set: () => undefined }));
  app.get('/api', (_req, res) => {
    res.sendStatus(200);
  });

  await request(app).get('/api').expect(401, { error: 'reauthentication_required' });
});

it('calls onReauthenticate instead, when given', async () => {
  server.reply({ status: 400, body: { error: 'invalid_grant' } });
  const onReauthenticate = jest.fn<void, Parameters<Required<ExpressOptions>['onReauthenticate']>>((_req, res) =>
    res.redirect('/auth/justlogin'),
  );
  const { app, route } = appWith(expiredTokens(), { onReauthenticate });
  const agent = await signedIn(app);

  await agent.get('/api').expect(302).expect('Location', '/auth/justlogin');

  expect(route).not.toHaveBeenCalled();
  expect(onReauthenticate).toHaveBeenCalledTimes(1);
  expect(onReauthenticate.mock.calls[0][3]).toMatchObject({ code: 'invalid_grant' });
});

describe('signs the user out when the renewed id_token fails its checks', () => {
  const previous = fakeIdToken(idTokenClaims('client-id'));
  it.each([
    ['names another subject (sub) than the previous one', { sub: 'someone-else' }, 'sub'],
    ['is for another client (aud)', { aud: 'another-client' }, 'aud'],
    ['has expired (exp)', { exp: Math.floor(Date.now() / 1000) - 3600 }, 'exp'],
  ])('an id_token that %s', async (_what, claims, check) => {
    server.reply({
      body: tokenResponse({
        refresh_token: 'refresh-token-new',
        id_token: fakeIdToken(idTokenClaims('client-id', claims)),
      }),
    });
    const onReauthenticate = jest.fn<void, Parameters<Required<ExpressOptions>['onReauthenticate']>>((req, res, next) =>
      req.logout((err) => (err ? next(err) : res.status(401).json({ error: 'reauthentication_required' }))),
    );
    const { app, set, route } = appWith(expiredTokens({ idToken: previous }), { onReauthenticate });
    const agent = await signedIn(app);

    await agent.get('/api').expect(401, { error: 'reauthentication_required' });

    expect(server.requests).toHaveLength(1);
    expect(onReauthenticate.mock.calls[0][3]).toMatchObject({ name: 'IdTokenError', check, reauthenticate: true });
    expect(route).not.toHaveBeenCalled();
    expect(set).not.toHaveBeenCalled();
    await agent.get('/api').expect(200, { accessToken: null }); // signed out
  });
});

describe('decides that the user must sign in again', () => {
  /** An app whose refresher fails every renewal with `error`. */
  function failingWith(error: Error) {
    const failing: Pick<JustLoginRefresher, 'ensureFresh'> = { ensureFresh: () => Promise.reject(error) };
    const app = express();
    app.use(keepTokensFresh(failing, { get: () => expiredTokens(), set: () => undefined }));
    app.get('/api', (_req, res) => {
      res.sendStatus(200);
    });
    app.use((err: { code?: string }, _req: Request, res: Response, _next: NextFunction) => {
      res.status(502).json({ code: err.code });
    });
    return app;
  }

  it('from the error itself (reauthenticate), whatever its code', async () => {
    const refreshed = new IdTokenError('id_token of the refresh names another subject (sub)', 'sub', {
      reauthenticate: true,
    });
    await request(failingWith(refreshed)).get('/api').expect(401, { error: 'reauthentication_required' });
  });

  it('not for an error of this package that does not say so', async () => {
    const signIn = new IdTokenError('id_token audience (aud) does not include this client', 'aud');
    await request(failingWith(signIn)).get('/api').expect(502, { code: 'EBADIDTOKEN' });
  });

  it.each(['invalid_grant', 'ENOREFRESHTOKEN'])('from the code %s of an error from elsewhere', async (code) => {
    const foreign = Object.assign(new Error('refused'), { code });
    await request(failingWith(foreign)).get('/api').expect(401, { error: 'reauthentication_required' });
  });
});

it('passes a retryable failure to the error handler and keeps the user signed in', async () => {
  server.reply({ status: 503, headers: { 'Content-Type': 'text/html' }, body: '<h1>Unavailable</h1>' });
  const { app, set, route } = appWith(expiredTokens());
  const agent = await signedIn(app);

  await agent.get('/api').expect(502, { code: 'EHTTPSTATUS', retryable: true });

  expect(route).not.toHaveBeenCalled();
  expect(set).not.toHaveBeenCalled();
  server.reply({ body: tokenResponse({ access_token: 'access-token-new' }) });
  await agent.get('/api').expect(200, { accessToken: 'access-token-new' });
});

it('passes other refusals (invalid_client) to the error handler', async () => {
  server.reply({ status: 401, body: { error: 'invalid_client' } });
  const { app, route } = appWith(expiredTokens());
  const agent = await signedIn(app);

  await agent.get('/api').expect(502, { code: 'invalid_client', retryable: false });

  expect(route).not.toHaveBeenCalled();
});

describe('with rotating refresh tokens', () => {
  it('keeps every request of a user signed in when the later ones loaded the session before the renewal was saved', async () => {
    const rotation = rotatingTokens('refresh-token-current');
    server.reply(rotation.responder);
    const count = 10;
    // Each request loads the session on arrival. Then "other middleware" holds them all until
    // all have arrived, lets the first go on, and holds the others until it has renewed the
    // tokens, saved the session and answered.
    let allArrived!: () => void;
    const arrivedAll = new Promise<void>((resolve) => (allArrived = resolve));
    let firstAnswered!: () => void;
    const answered = new Promise<void>((resolve) => (firstAnswered = resolve));
    let arrived = 0;
    const holdLaterRequests = async (_req: Request, res: Response, next: NextFunction) => {
      arrived += 1;
      const first = arrived === 1;
      if (arrived === count) allArrived();
      await arrivedAll;
      if (first) res.on('finish', firstAnswered);
      else await answered;
      next();
    };
    const { app, set } = appWith(expiredTokens(), { before: holdLaterRequests });
    const agent = await signedIn(app);

    const responses = await Promise.all(Array.from({ length: count }, () => agent.get('/api')));

    expect(responses.map((response) => response.status)).toEqual(Array(count).fill(200));
    for (const response of responses) expect(response.body).toEqual({ accessToken: 'access-token-rotated-1' });
    expect(rotation).toMatchObject({ renewals: 1, refused: 0 });
    expect(server.requests).toHaveLength(1);
    expect(set).toHaveBeenCalledTimes(count);
  });
});

describe('never writes older tokens over newer ones', () => {
  /** An app whose tokens live in one shared store, as with a database or a shared session store. */
  function sharedStoreApp(initial: JustLoginTokenSet) {
    const store = { tokens: initial };
    const set = jest.fn((_req: Request, tokens: JustLoginTokenSet) => {
      store.tokens = tokens;
    });
    const app = express();
    app.use(keepTokensFresh(refresher, { get: () => store.tokens, set }));
    app.get('/api', (_req, res) => {
      res.json({ accessToken: store.tokens.accessToken });
    });
    return { app, store, set };
  }

  it('keeps tokens stored meanwhile that expire later than the renewed ones', async () => {
    const newer: JustLoginTokenSet = { ...freshTokens(), accessToken: 'access-token-stored-meanwhile' };
    const { app, store, set } = sharedStoreApp(expiredTokens());
    server.reply(() => {
      store.tokens = newer; // another request or instance stores newer tokens while this renewal runs
      return { body: tokenResponse({ access_token: 'access-token-renewed-shorter', expires_in: 600 }) };
    });

    await request(app).get('/api').expect(200, { accessToken: 'access-token-stored-meanwhile' });

    expect(store.tokens).toBe(newer);
    expect(set).not.toHaveBeenCalled();
  });

  it('keeps tokens stored meanwhile that expire at the same time', async () => {
    const { app, store, set } = sharedStoreApp(expiredTokens());
    let meanwhile!: JustLoginTokenSet;
    server.reply(() => {
      meanwhile = { ...freshTokens(), accessToken: 'access-token-stored-meanwhile', expiresAt: nowSeconds() + 3600 };
      store.tokens = meanwhile;
      return { body: tokenResponse({ access_token: 'access-token-renewed', expires_in: 3600 }) };
    });

    await request(app).get('/api').expect(200);

    expect(store.tokens).toBe(meanwhile);
    expect(set).not.toHaveBeenCalled();
  });

  it('stores the renewed tokens over older ones stored meanwhile', async () => {
    const { app, store, set } = sharedStoreApp(expiredTokens());
    server.reply(() => {
      store.tokens = expiredTokens({ accessToken: 'access-token-older' });
      return { body: tokenResponse({ access_token: 'access-token-renewed' }) };
    });

    await request(app).get('/api').expect(200, { accessToken: 'access-token-renewed' });

    expect(set).toHaveBeenCalledTimes(1);
  });
});
