import type * as ApiModule from './api/api';
import type * as CookieStateStoreModule from './cookie-state-store';
import type * as FreshTokensModule from './fresh-tokens';
import type * as RedisCoordinatorModule from './redis-coordinator';
import type * as RefreshModule from './refresh';
import type * as SingleFlightModule from './single-flight';
import type * as TokenSetModule from './token-set';
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
export type {
  JustLoginRefresherOptions,
  JustLoginRefresherOwnOptions,
  RefreshParams,
  EnsureFreshOptions,
  RefreshCoordinator,
} from './refresh';
export type { RedisRefreshCoordinatorOptions } from './redis-coordinator';
export type { RedisClientLike, RefreshCoordinatorLogger } from './redis-commands';
export type { KeepTokensFreshOptions, KeepTokensFreshResponse, KeepTokensFreshNext } from './fresh-tokens';
export type { JustLoginTokenSet, JustLoginTokenParams } from './token-set';
export type { CookieStateStoreOptions } from './cookie-state-store';
export type { JustLoginStateStore, StateStoreMeta } from './state-store';
export type { PassportRequestLike } from './request';
export {
  JustLoginTokenError,
  JustLoginRequestError,
  IdTokenError,
  NoRefreshTokenError,
  JustLoginOptionsError,
  JustLoginApiError,
  isJustLoginError,
} from './errors';
export type { IdTokenCheck, JustLoginError, JustLoginErrorFields } from './errors';
export { ENVIRONMENTS } from './endpoints';
export type { JustLoginApiOptions, JustLoginApiPerRequestOptions, JustLoginApiRequestOptions } from './api/api';
export type { OnTokens } from './api/bearer';
export type { JustLoginEmployees, JustLoginEmployeeListOptions, JustLoginEmployeeGetOptions } from './api/employees';
export type { JustLoginPayroll } from './api/payroll';
export type { JustLoginLeave, JustLoginAssignedLeaveTypesOptions, JustLoginLeaveSummaryOptions } from './api/leave';
export type {
  JustLoginGuid,
  JustLoginDate,
  JustLoginEmployeeInclude,
  JustLoginActiveStatus,
  JustLoginManager,
  JustLoginImages,
  JustLoginDepartment,
  JustLoginEmployment,
  JustLoginResidency,
  JustLoginPassport,
  JustLoginCompany,
  JustLoginGovernmentId,
  JustLoginEmployee,
  JustLoginPayInfo,
  JustLoginBankInfo,
  JustLoginLeaveType,
  JustLoginAssignedLeaveTypes,
  JustLoginLeaveSummary,
  JustLoginPagination,
  JustLoginPage,
  JustLoginApiResponse,
} from './api/types';
export type { JustLoginEnvironment } from './endpoints';

// Only some apps renew tokens, coordinate renewals on Redis or keep the state in a cookie: each
// export below loads its module when it is first read, so that an app that only signs users in
// loads none of them. Each is a getter of the one form (`get: function () { return a.b; }`) that
// Node's ES module loader reads as a named export, so `import { … } from 'passport-justlogin'` works.
export declare const JustLoginRefresher: typeof RefreshModule.JustLoginRefresher;
export type JustLoginRefresher = RefreshModule.JustLoginRefresher;
export declare const SingleFlight: typeof SingleFlightModule.SingleFlight;
export type SingleFlight<T> = SingleFlightModule.SingleFlight<T>;
export declare const RedisRefreshCoordinator: typeof RedisCoordinatorModule.RedisRefreshCoordinator;
export type RedisRefreshCoordinator = RedisCoordinatorModule.RedisRefreshCoordinator;
export declare const keepTokensFresh: typeof FreshTokensModule.keepTokensFresh;
export declare const toTokenSet: typeof TokenSetModule.toTokenSet;
export declare const isExpired: typeof TokenSetModule.isExpired;
export declare const CookieStateStore: typeof CookieStateStoreModule.CookieStateStore;
export type CookieStateStore = CookieStateStoreModule.CookieStateStore;
export declare const JustLoginApi: typeof ApiModule.JustLoginApi;
export type JustLoginApi = ApiModule.JustLoginApi;

/* eslint-disable @typescript-eslint/no-require-imports */
const onFirstUse = {
  get JustLoginRefresher() {
    return (require('./refresh') as typeof RefreshModule).JustLoginRefresher;
  },
  get SingleFlight() {
    return (require('./single-flight') as typeof SingleFlightModule).SingleFlight;
  },
  get RedisRefreshCoordinator() {
    return (require('./redis-coordinator') as typeof RedisCoordinatorModule).RedisRefreshCoordinator;
  },
  get keepTokensFresh() {
    return (require('./fresh-tokens') as typeof FreshTokensModule).keepTokensFresh;
  },
  get toTokenSet() {
    return (require('./token-set') as typeof TokenSetModule).toTokenSet;
  },
  get isExpired() {
    return (require('./token-set') as typeof TokenSetModule).isExpired;
  },
  get CookieStateStore() {
    return (require('./cookie-state-store') as typeof CookieStateStoreModule).CookieStateStore;
  },
  get JustLoginApi() {
    return (require('./api/api') as typeof ApiModule).JustLoginApi;
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */
Object.defineProperty(exports as object, 'JustLoginRefresher', {
  enumerable: true,
  get: function () {
    return onFirstUse.JustLoginRefresher;
  },
});
Object.defineProperty(exports as object, 'SingleFlight', {
  enumerable: true,
  get: function () {
    return onFirstUse.SingleFlight;
  },
});
Object.defineProperty(exports as object, 'RedisRefreshCoordinator', {
  enumerable: true,
  get: function () {
    return onFirstUse.RedisRefreshCoordinator;
  },
});
Object.defineProperty(exports as object, 'keepTokensFresh', {
  enumerable: true,
  get: function () {
    return onFirstUse.keepTokensFresh;
  },
});
Object.defineProperty(exports as object, 'toTokenSet', {
  enumerable: true,
  get: function () {
    return onFirstUse.toTokenSet;
  },
});
Object.defineProperty(exports as object, 'isExpired', {
  enumerable: true,
  get: function () {
    return onFirstUse.isExpired;
  },
});
Object.defineProperty(exports as object, 'CookieStateStore', {
  enumerable: true,
  get: function () {
    return onFirstUse.CookieStateStore;
  },
});
Object.defineProperty(exports as object, 'JustLoginApi', {
  enumerable: true,
  get: function () {
    return onFirstUse.JustLoginApi;
  },
});
