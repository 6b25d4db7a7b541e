export { JustLoginClient } from './client';
export type { JustLoginClientOptions, JustLoginClientReference } from './client';
export type { JustLoginMetadata } from './discovery';
export type { FetchLike } from './transport';
export { JustLoginStrategy, JustLoginStrategy as Strategy } from './strategy';
export type {
  JustLoginStrategyOptions,
  JustLoginStrategyOptionsBase,
  JustLoginStrategyOptionsWithRequest,
  JustLoginStrategyOptionsWithoutProfile,
  JustLoginStrategyOwnOptions,
  JustLoginVerify,
  JustLoginVerifyWithProfile,
  JustLoginVerifyWithParams,
  JustLoginVerifyWithRequest,
  JustLoginVerifyWithRequestAndProfile,
  JustLoginVerifyWithRequestAndParams,
  JustLoginVerifyCallback,
} from './strategy';
export type { JustLoginProfile } from './profile';
export type { IdTokenClaims } from './id-token';
export { JustLoginRefresher } from './refresh';
export type {
  JustLoginRefresherOptions,
  JustLoginRefresherOwnOptions,
  RefreshParams,
  EnsureFreshOptions,
  RefreshCoordinator,
} from './refresh';
export { SingleFlight } from './single-flight';
export { RedisRefreshCoordinator } from './redis-coordinator';
export type { RedisRefreshCoordinatorOptions } from './redis-coordinator';
export type { RedisClientLike, RefreshCoordinatorLogger } from './redis-commands';
export { keepTokensFresh } from './fresh-tokens';
export type { KeepTokensFreshOptions, KeepTokensFreshResponse, KeepTokensFreshNext } from './fresh-tokens';
export { toTokenSet, isExpired } from './token-set';
export type { JustLoginTokenSet, JustLoginTokenParams } from './token-set';
export { CookieStateStore } from './cookie-state-store';
export type { CookieStateStoreOptions } from './cookie-state-store';
export type { JustLoginStateStore, StateStoreMeta } from './state-store';
export type { PassportRequestLike } from './request';
export {
  JustLoginTokenError,
  JustLoginRequestError,
  IdTokenError,
  NoRefreshTokenError,
  JustLoginOptionsError,
  isJustLoginError,
} from './errors';
export type { IdTokenCheck, JustLoginError, JustLoginErrorFields } from './errors';
export { ENVIRONMENTS } from './endpoints';
export type { JustLoginEnvironment } from './endpoints';
