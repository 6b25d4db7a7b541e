// Type tests: JustLoginStrategy inside @nestjs/passport's PassportStrategy mixin, for an app that
// sets up @nestjs/passport itself (docs/testing-your-app.md). (@nestjs/passport is ESM-only; this CommonJS-mode file only imports its types.)
import type { PassportStrategy as PassportStrategyMixin } from '@nestjs/passport' with { 'resolution-mode': 'import' };

import {
  JustLoginRefresher,
  JustLoginStrategy,
  type JustLoginProfile,
  type JustLoginStrategyOptions,
  type JustLoginStrategyOptionsWithRequest,
  type JustLoginStrategyOptionsWithoutProfile,
  type JustLoginTokenParams,
} from '../../lib';
import { assertType, type Equal } from './expect';

declare const PassportStrategy: typeof PassportStrategyMixin;

const options = { clientID: 'client', clientSecret: 'secret', callbackURL: '/auth/justlogin/callback' };

// The mixin takes JustLoginStrategy's constructor without its last parameter (the verify callback).
export class JustLoginAuth extends PassportStrategy(JustLoginStrategy, 'justlogin', true) {
  constructor() {
    super({ ...options, environment: 'staging' });
  }

  validate(accessToken: string, refreshToken: string, params: JustLoginTokenParams, profile: JustLoginProfile) {
    return { id: profile.id, accessToken, refreshToken, expiresIn: params.expires_in };
  }
}

export class JustLoginAuthWithRequest extends PassportStrategy(JustLoginStrategy, 'justlogin-req', true) {
  constructor() {
    super({ ...options, passReqToCallback: true });
  }

  validate(
    _req: unknown,
    _accessToken: string,
    _refreshToken: string,
    _params: JustLoginTokenParams,
    profile: JustLoginProfile,
  ) {
    return { id: profile.id };
  }
}

export class WrongOptions extends PassportStrategy(JustLoginStrategy, 'justlogin-wrong', true) {
  constructor() {
    // @ts-expect-error 'test' is not a JustLogin environment
    super({ ...options, environment: 'test' });
  }

  validate() {
    return false;
  }
}

type MixinArgs = ConstructorParameters<ReturnType<typeof PassportStrategy<typeof JustLoginStrategy>>>;
assertType<
  Equal<
    MixinArgs,
    | [JustLoginStrategyOptions]
    | [JustLoginStrategyOptionsWithRequest]
    | [JustLoginStrategyOptionsWithoutProfile & { passReqToCallback?: false }]
    | [JustLoginStrategyOptionsWithoutProfile & { passReqToCallback: true }]
  >
>(true);

// An instance is a JustLoginStrategy: JustLoginRefresher.fromStrategy accepts it.
export const refresher = JustLoginRefresher.fromStrategy(new JustLoginAuth());
