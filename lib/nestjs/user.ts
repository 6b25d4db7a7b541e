// The signed-in user as the module keeps them in the session: the profile, without the tokens' raw claims, and the tokens.
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { toTokenSet, type JustLoginProfile, type JustLoginTokenParams, type JustLoginTokenSet } from '../index.js';

/**
 * The profile kept in the session: {@link JustLoginProfile} without `_json`, `_raw` and `_accessTokenClaims`.
 *
 * @group NestJS
 */
export type JustLoginUserProfile = Omit<JustLoginProfile, '_json' | '_raw' | '_accessTokenClaims'>;

/**
 * A user signed in with JustLogin, as `JustLoginModule` keeps them in the
 * session (`req.user`): who they are and their tokens, which `SignedInGuard`
 * and the injected `JustLoginApi` renew and save back.
 *
 * @group NestJS
 */
export interface JustLoginUser {
  /** Who signed in: `id`, `displayName`, `userGuid`, `companyGuid`, `companyName`, `roles`, … */
  profile: JustLoginUserProfile;
  /** Their tokens; `expiresAt` is in epoch seconds. */
  tokens: JustLoginTokenSet;
}

/**
 * The signed-in user as a route handler's parameter, `undefined` for a
 * visitor who is not signed in: use it behind `SignedInGuard`.
 *
 * @example
 * @Get('profile')
 * @UseGuards(SignedInGuard)
 * profile(@JustLoginUser() user: JustLoginUser) {
 *   return { name: user.profile.displayName };
 * }
 *
 * @group NestJS
 */
export const JustLoginUser: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => userOf(context.switchToHttp().getRequest<object>()),
);

/** The request's signed-in JustLogin user (restored by `passport.session()`), if any. */
export function userOf(request: object): JustLoginUser | undefined {
  const { user } = request as { user?: unknown };
  return isJustLoginUser(user) ? user : undefined;
}

/** True for what {@link signedIn} made (and the session gave back). */
export function isJustLoginUser(value: unknown): value is JustLoginUser {
  const user = value as Partial<JustLoginUser> | null | undefined;
  return user?.profile?.provider === 'justlogin' && typeof user.tokens?.accessToken === 'string';
}

/** The strategy's verify callback: the user the session keeps, from the token response and the profile. */
export function signedIn(
  accessToken: string,
  refreshToken: string | undefined,
  params: JustLoginTokenParams,
  profile: JustLoginProfile,
  done: (err: null, user: JustLoginUser) => void,
): void {
  const { _json, _raw, _accessTokenClaims, ...kept } = profile;
  done(null, { profile: kept, tokens: toTokenSet(accessToken, refreshToken, params) });
}
