// Type tests: JustLoginTokenSet, toTokenSet, JustLoginRefresher and keepTokensFresh: renewing tokens.
import express, { type Request, type Response } from 'express';
import {
  JustLoginClient,
  JustLoginRefresher,
  JustLoginStrategy,
  isExpired,
  keepTokensFresh,
  toTokenSet,
  type JustLoginTokenParams,
  type KeepTokensFreshResponse,
  type KeepTokensFreshNext,
  type JustLoginTokenSet,
  type RefreshCoordinator,
  type RefreshParams,
} from '../../lib';
import { RedisRefreshCoordinator } from '../../lib/redis';
import { assertType, valueOf, type Equal } from './expect';

// JustLoginTokenSet.
const tokens = toTokenSet('access', 'refresh', { token_type: 'Bearer', expires_in: 3600, id_token: 'x.y.z' });
assertType<Equal<typeof tokens, JustLoginTokenSet>>(true);
assertType<Equal<typeof tokens.accessToken, string>>(true);
assertType<Equal<typeof tokens.refreshToken, string | undefined>>(true);
assertType<Equal<typeof tokens.idToken, string | undefined>>(true);
assertType<Equal<typeof tokens.tokenType, string>>(true);
assertType<Equal<typeof tokens.expiresIn, number | undefined>>(true);
assertType<Equal<typeof tokens.expiresAt, number | undefined>>(true);
toTokenSet('access', undefined, { expires_in: '3600' }, Date.now());
// @ts-expect-error accessToken is required
const noAccessToken: JustLoginTokenSet = { tokenType: 'Bearer' };
// @ts-expect-error expiresAt is epoch seconds, a number
const dateExpiry: JustLoginTokenSet = { accessToken: 'a', tokenType: 'Bearer', expiresAt: new Date() };
export { noAccessToken, dateExpiry };
assertType<Equal<ReturnType<typeof isExpired>, boolean>>(true);
const params: JustLoginTokenParams = { expires_in: 60, custom: 'kept' };
// @ts-expect-error expires_in is a number or a numeric string
const badParams: JustLoginTokenParams = { expires_in: true };
export { params, badParams };

// JustLoginRefresher.
const refresher = new JustLoginRefresher({ clientID: 'client', clientSecret: 'secret', environment: 'staging' });
new JustLoginRefresher({ clientID: 'client', clientSecret: 'secret', baseURL: 'http://127.0.0.1:4000', timeout: 5000 });
new JustLoginRefresher({ clientID: 'client', clientSecret: 'secret', tokenURL: 'http://127.0.0.1:4000/token' });
// @ts-expect-error clientSecret is required
new JustLoginRefresher({ clientID: 'client' });
// @ts-expect-error 'test' is not a JustLogin environment
new JustLoginRefresher({ clientID: 'client', clientSecret: 'secret', environment: 'test' });
new JustLoginRefresher({
  clientID: 'client',
  clientSecret: 'secret',
  graceMs: 30_000,
  issuer: 'https://apis.justlogin.com/v1/auth',
  clockTolerance: 30,
});
// @ts-expect-error graceMs is a number of milliseconds
new JustLoginRefresher({ clientID: 'client', clientSecret: 'secret', graceMs: '60s' });

export const refreshed = refresher.refresh({ refreshToken: 'refresh', accessToken: 'access' });
assertType<Equal<typeof refreshed, Promise<JustLoginTokenSet>>>(true);
void refresher.refresh({ refreshToken: 'refresh' });
void refresher.refresh({ refreshToken: 'refresh', accessToken: 'access', idToken: 'x.y.z', scope: 'openid' });
const params2: RefreshParams = { refreshToken: 'refresh', idToken: tokens.idToken, scope: tokens.scope };
export { params2 };
// @ts-expect-error refreshToken is required
void refresher.refresh({ accessToken: 'access' });
assertType<Equal<ReturnType<typeof refresher.ensureFresh>, Promise<JustLoginTokenSet>>>(true);
void refresher.ensureFresh(tokens, { skewMs: 120_000 });
// @ts-expect-error skewSeconds became skewMs
void refresher.ensureFresh(tokens, { skewSeconds: 120 });
// @ts-expect-error ensureFresh takes a JustLoginTokenSet
void refresher.ensureFresh({ refresh_token: 'refresh' });

const strategy = valueOf<JustLoginStrategy>();
assertType<Equal<ReturnType<typeof JustLoginRefresher.fromStrategy>, JustLoginRefresher>>(true);
const coordinator: RefreshCoordinator = { run: (_key, task) => task() };
JustLoginRefresher.fromStrategy(strategy, { coordinator });
JustLoginRefresher.fromStrategy(strategy, { coordinator, graceMs: 0 });
// @ts-expect-error fromStrategy takes issuer and clockTolerance from the strategy
JustLoginRefresher.fromStrategy(strategy, { issuer: 'https://apis.justlogin.com/v1/auth' });
const locking: RefreshCoordinator = { lockMs: 20_000, run: (_key, task) => task() };
assertType<Equal<typeof locking.lockMs, number | undefined>>(true);
assertType<Equal<RedisRefreshCoordinator['lockMs'], number>>(true);
const redisCoordinator: RefreshCoordinator = valueOf<RedisRefreshCoordinator>();
export { locking, redisCoordinator };
// @ts-expect-error fromStrategy needs a JustLoginStrategy
JustLoginRefresher.fromStrategy({ name: 'justlogin' });

// keepTokensFresh: Express middleware over the refresher.
const stored = new WeakMap<object, JustLoginTokenSet>();
export const middleware = keepTokensFresh(refresher, {
  get: (req) => stored.get(req),
  set: (req, next) => {
    stored.set(req, next);
  },
  skewMs: 30_000,
});

// A refresher on a shared client.
const client = new JustLoginClient({ clientID: 'client', clientSecret: 'secret' });
export const onClient = new JustLoginRefresher({ client, coordinator, graceMs: 0 });
assertType<Equal<typeof onClient.client, JustLoginClient>>(true);
assertType<Equal<typeof strategy.client, JustLoginClient>>(true);
// @ts-expect-error coordinator has a run method
new JustLoginRefresher({ client, coordinator: {} });
// @ts-expect-error a refresher needs a client or the client's options
new JustLoginRefresher({ graceMs: 0 });

// keepTokensFresh's request and response: Passport's request and the part of the response it uses by
// default, or the framework's own when a callback names them.
export const defaults = keepTokensFresh(refresher, {
  get: (req) => {
    assertType<Equal<typeof req, Express.Request>>(true);
    return stored.get(req);
  },
  set: () => undefined,
});
assertType<Equal<Parameters<typeof defaults>[1], KeepTokensFreshResponse>>(true);
const app = express();
app.use(defaults);
export const withExpress = keepTokensFresh(refresher, {
  get: (req: Request) => stored.get(req),
  set: (req, next) => void stored.set(req, next),
  onReauthenticate: (_req, res: Response) => res.redirect('/auth/justlogin'),
});
assertType<Equal<Parameters<typeof withExpress>, [Request, Response, KeepTokensFreshNext]>>(true);
app.use(withExpress);
// @ts-expect-error the default onReauthenticate answers with res.status(401).json(…)
keepTokensFresh<Request, { send(): void }>(refresher, { get: () => undefined, set: () => undefined });
