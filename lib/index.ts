export { JustLoginClient } from './client/client';
export type { JustLoginClientOptions, JustLoginClientReference } from './client/client';
export type { JustLoginMetadata } from './client/discovery';
export type { FetchLike } from './client/transport';
export { JustLoginStrategy, JustLoginStrategy as Strategy } from './sign-in/strategy';
export type {
  JustLoginStrategyOptions,
  JustLoginStrategyOptionsWithRequest,
  JustLoginStrategyOptionsWithoutProfile,
  JustLoginVerify,
  JustLoginVerifyWithProfile,
  JustLoginVerifyWithParams,
  JustLoginVerifyWithRequest,
  JustLoginVerifyWithRequestAndProfile,
  JustLoginVerifyWithRequestAndParams,
  JustLoginVerifyCallback,
} from './sign-in/strategy';
export type { JustLoginProfile } from './sign-in/profile';
export { identityOf } from './access-token';
export type { JustLoginIdentity, AccessTokenClaims } from './access-token';
export type { IdTokenClaims } from './client/id-token';
export type {
  JustLoginRefresherOptions,
  RefreshParams,
  EnsureFreshOptions,
  RefreshCoordinator,
  CoordinatedRunOptions,
} from './renewal/refresher';
export type { KeepTokensFreshOptions, KeepTokensFreshResponse, KeepTokensFreshNext } from './frameworks/express';
export type { JustLoginTokenSet, JustLoginTokenParams } from './token-set';
export type { CookieStateStoreOptions } from './sign-in/cookie-state-store';
export type { JustLoginStateStore, StateStoreMeta } from './sign-in/state-store';
export type { PassportRequestLike } from './sign-in/passport-request';
export {
  JustLoginError,
  JustLoginTokenError,
  JustLoginAuthorizationError,
  JustLoginRequestError,
  IdTokenError,
  NoRefreshTokenError,
  JustLoginOptionsError,
  JustLoginApiError,
} from './errors';
export type { IdTokenCheck, JustLoginErrorCode, JustLoginFailure } from './errors';
export type {
  JustLoginApiOptions,
  JustLoginApiIdentity,
  JustLoginApiPerRequestOptions,
  JustLoginApiRequestOptions,
} from './api/api';
export type { OnTokens } from './api/bearer';
export type { JustLoginEmployees, JustLoginEmployeeListOptions, JustLoginEmployeeGetOptions } from './api/employees';
export type { JustLoginPayroll } from './api/payroll';
export type { JustLoginLeave, JustLoginAssignedLeaveTypesOptions, JustLoginLeaveSummaryOptions } from './api/leave';
export type { JustLoginEnvironment } from './client/endpoints';
export { JustLoginRefresher } from './renewal/refresher';
export { keepTokensFresh } from './frameworks/express';
export { toTokenSet, isExpired } from './token-set';
export { CookieStateStore } from './sign-in/cookie-state-store';
export { JustLoginApi } from './api/api';
export type {
  JustLoginTraceEnd,
  JustLoginTokenTrace,
  JustLoginApiTrace,
  JustLoginFetchTrace,
  JustLoginSignInMessage,
  JustLoginRenewalMessage,
  JustLoginSignOutMessage,
  JustLoginBackChannelLogoutMessage,
} from './diagnostics';
export { LogoutTokenError } from './errors';
export type { LogoutTokenErrorCode } from './errors';
export type { EndSessionParams } from './client/end-session';
export type { RevokeOptions } from './client/revocation';
export type { LogoutTokenClaims } from './client/logout-token';
export type { ReplayStore } from './client/replay-store';
export { MemorySessionIndex } from './sign-out/session-index';
export type { SessionIndex, SessionOwner, SignedOut, MemorySessionIndexOptions } from './sign-out/session-index';
export type { SignOutOptions, SignOutLogger } from './sign-out/sign-out';
export type { PostLogoutOptions } from './sign-out/post-logout';
export { backChannelLogout } from './sign-out/back-channel';
export type { BackChannelLogoutOptions, BackChannelLogoutAnswer } from './sign-out/back-channel';
export { signOutHandler, postLogoutHandler, backChannelLogoutHandler } from './frameworks/express-sign-out';
export type {
  BackChannelLogoutHandlerOptions,
  ExpressSignOutRequest,
  SessionStoreLike,
  SignOutNext,
  SignOutResponseLike,
} from './frameworks/express-sign-out';
