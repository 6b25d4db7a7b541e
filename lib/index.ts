export { JustLoginStrategy, JustLoginStrategy as Strategy } from './strategy';
export type {
  JustLoginStrategyOptions,
  JustLoginStrategyOptionsBase,
  JustLoginStrategyOptionsWithRequest,
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
export { toTokenSet, isExpired } from './token-set';
export type { JustLoginTokenSet, JustLoginTokenParams } from './token-set';
export { JustLoginTokenError, JustLoginRequestError, IdTokenError } from './errors';
export type { IdTokenCheck } from './errors';
export { ENVIRONMENTS } from './endpoints';
export type { JustLoginEnvironment } from './endpoints';
