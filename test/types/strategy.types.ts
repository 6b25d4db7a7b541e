// Type tests: JustLoginStrategy's verify forms and options, and the profile.
import { Agent } from 'node:http';
import type { Request } from 'express';

import {
  JustLoginClient,
  JustLoginStrategy,
  Strategy,
  type IdTokenClaims,
  type JustLoginMetadata,
  type JustLoginProfile,
  type JustLoginTokenParams,
  type JustLoginVerifyCallback,
  type JustLoginVerify,
  type JustLoginVerifyWithParams,
  type JustLoginVerifyWithProfile,
  type JustLoginVerifyWithRequestAndParams,
  type JustLoginVerifyWithRequestAndProfile,
  type PassportRequestLike,
} from '../../lib';
import { assertType, valueOf, type Equal } from './expect';

const options = { clientID: 'client', clientSecret: 'secret', callbackURL: '/auth/justlogin/callback' };

// The inline five-argument form is typed without annotations, with the options the README gives
// (process.env values are string | undefined; a missing one throws at construction).
new JustLoginStrategy(
  {
    clientID: process.env.JUSTLOGIN_CLIENT_ID,
    clientSecret: process.env.JUSTLOGIN_CLIENT_SECRET,
    callbackURL: process.env.JUSTLOGIN_CALLBACK_URL,
    baseURL: process.env.JUSTLOGIN_BASE_URL,
  },
  (accessToken, refreshToken, params, profile, done) => {
    assertType<Equal<typeof accessToken, string>>(true);
    // JustLogin may issue no refresh token.
    assertType<Equal<typeof refreshToken, string | undefined>>(true);
    assertType<Equal<typeof params, JustLoginTokenParams>>(true);
    assertType<Equal<typeof profile, JustLoginProfile>>(true);
    assertType<Equal<typeof done, JustLoginVerifyCallback>>(true);
    done(null, { id: profile.id });
  },
);
// With passReqToCallback: true, the inline six-argument form; `req` is what Passport hands over.
new JustLoginStrategy({ ...options, passReqToCallback: true }, (req, _at, refreshToken, params, profile, done) => {
  assertType<Equal<typeof req, PassportRequestLike>>(true);
  assertType<Equal<typeof refreshToken, string | undefined>>(true);
  done(null, { id: profile.id, expiresIn: params.expires_in });
});
// ...or the framework's own request type, named on `req` alone.
new JustLoginStrategy({ ...options, passReqToCallback: true }, (req: Request, _at, _rt, _params, profile, done) =>
  done(null, { id: profile.id, ip: req.ip }),
);
// TypeScript types an inline callback only when a single form has as many parameters as it: an
// inline four-argument callback matches both forms, so it needs the form's name.
// @ts-expect-error Parameter 'profile' implicitly has an 'any' type.
new JustLoginStrategy(options, (_accessToken, _refreshToken, _profile, _done) => undefined);
new JustLoginStrategy(options, ((_accessToken, _refreshToken, profile, done) =>
  done(null, { id: profile.id })) satisfies JustLoginVerifyWithProfile);

// skipUserProfile: true: the verify callback gets undefined for the profile.
new JustLoginStrategy({ ...options, skipUserProfile: true }, (_at, _rt, _params, profile, done) => {
  assertType<Equal<typeof profile, undefined>>(true);
  done(null, {});
});
const noProfile: JustLoginVerifyWithProfile<undefined> = (_at, _rt, profile, done) => done(null, { profile });
new JustLoginStrategy({ ...options, skipUserProfile: true, passReqToCallback: false }, noProfile);
new JustLoginStrategy({ ...options, skipUserProfile: true }, (_at, _rt, _params, profile, done) =>
  // @ts-expect-error with skipUserProfile: true there is no profile to read
  done(null, { id: profile.id }),
);
export const anyForm: JustLoginVerify<undefined> = noProfile;

// The other forms, through the exported types.
const withProfile: JustLoginVerifyWithProfile = (_accessToken, _refreshToken, profile, done) =>
  done(null, { id: profile.id });
new JustLoginStrategy(options, withProfile);

const withParams: JustLoginVerifyWithParams = (accessToken, refreshToken, params, profile, done) => {
  assertType<Equal<typeof params, JustLoginTokenParams>>(true);
  assertType<Equal<typeof params.expires_in, number | string | undefined>>(true);
  assertType<Equal<typeof params.id_token, string | undefined>>(true);
  done(null, { id: profile.id, accessToken, refreshToken });
};
new JustLoginStrategy(options, withParams);
new JustLoginStrategy({ ...options, passReqToCallback: false }, withParams);

const withRequestAndProfile: JustLoginVerifyWithRequestAndProfile = (
  req,
  _accessToken,
  _refreshToken,
  profile,
  done,
) => {
  assertType<Equal<typeof req, PassportRequestLike>>(true);
  done(null, { id: profile.id, url: req.url });
};
new JustLoginStrategy({ ...options, passReqToCallback: true }, withRequestAndProfile);

const withRequestAndParams: JustLoginVerifyWithRequestAndParams = (
  req,
  _accessToken,
  _refreshToken,
  params,
  profile,
  done,
) => done(null, { id: profile.id, url: req.url, expiresIn: params.expires_in });
new JustLoginStrategy({ ...options, passReqToCallback: true }, withRequestAndParams);

// The verify callback must match passReqToCallback.
// @ts-expect-error a verify callback that takes req needs passReqToCallback: true
new JustLoginStrategy(options, withRequestAndParams);
// @ts-expect-error a verify callback that takes req needs passReqToCallback: true
new JustLoginStrategy({ ...options, passReqToCallback: false }, withRequestAndProfile);
// @ts-expect-error passReqToCallback: true needs a verify callback that takes req first
new JustLoginStrategy({ ...options, passReqToCallback: true }, withParams);
// @ts-expect-error passReqToCallback: true needs a verify callback that takes req first
new JustLoginStrategy({ ...options, passReqToCallback: true }, withProfile);
// @ts-expect-error a verify callback is required
new JustLoginStrategy(options);

// Options.
new JustLoginStrategy({ ...options, environment: 'staging' }, withParams);
new JustLoginStrategy({ ...options, environment: 'production', scope: ['openid', 'email'], timeout: 5000 }, withParams);
new JustLoginStrategy(
  {
    ...options,
    baseURL: 'http://127.0.0.1:4000',
    scope: 'email',
    state: true,
    pkce: true,
    issuer: 'x',
    clockTolerance: 30,
  },
  withParams,
);
new JustLoginStrategy({ ...options, baseURL: 'http://idp.internal', allowInsecureRequests: true }, withParams);
// @ts-expect-error allowInsecureRequests is a boolean
new JustLoginStrategy({ ...options, allowInsecureRequests: 'yes' }, withParams);
// @ts-expect-error 'test' is not a JustLogin environment
new JustLoginStrategy({ ...options, environment: 'test' }, withParams);
// @ts-expect-error clientID is required, even if undefined
new JustLoginStrategy({ clientSecret: 'secret', callbackURL: '/cb' }, withParams);
// @ts-expect-error clientSecret is required
new JustLoginStrategy({ clientID: 'client', callbackURL: '/cb' }, withParams);
// @ts-expect-error callbackURL is required
new JustLoginStrategy({ clientID: 'client', clientSecret: 'secret' }, withParams);
// @ts-expect-error timeout is a number of milliseconds
new JustLoginStrategy({ ...options, timeout: '10s' }, withParams);
// @ts-expect-error scope is a string or an array of strings
new JustLoginStrategy({ ...options, scope: 42 }, withParams);
// @ts-expect-error unknown options are caught
new JustLoginStrategy({ ...options, clientSecrte: 'typo' }, withParams);

// The strategy.
export const strategy = new Strategy(options, withParams);
assertType<Equal<typeof Strategy, typeof JustLoginStrategy>>(true);
assertType<Equal<typeof strategy.name, string>>(true);

// The profile.
const profile = valueOf<JustLoginProfile>();
assertType<Equal<typeof profile.provider, 'justlogin'>>(true);
assertType<Equal<typeof profile.id, string>>(true);
assertType<Equal<typeof profile.displayName, string | undefined>>(true);
assertType<Equal<typeof profile.username, string | undefined>>(true);
assertType<Equal<typeof profile.emails, Array<{ value: string; type?: string }> | undefined>>(true);
assertType<Equal<typeof profile._json, IdTokenClaims>>(true);
assertType<Equal<typeof profile._json.sub, string>>(true);
assertType<Equal<typeof profile._raw, string>>(true);
// @ts-expect-error the profile is read from the id_token: provider is always 'justlogin'
const notJustLogin: JustLoginProfile = { provider: 'google', id: 'x', _json: profile._json, _raw: '' };
export { notJustLogin };

// One client, shared.
const client = new JustLoginClient({
  clientID: 'client',
  clientSecret: 'secret',
  environment: 'staging',
  discovery: true,
  verifyIdTokenSignature: true,
  fetch: globalThis.fetch,
});
new JustLoginClient({ clientID: 'client', clientSecret: 'secret', agent: new Agent({ keepAlive: true }) });
assertType<Equal<typeof client.clientID, string>>(true);
assertType<Equal<typeof client.issuer, string | undefined>>(true);
assertType<Equal<ReturnType<typeof client.metadata>, Promise<JustLoginMetadata>>>(true);
assertType<Equal<Awaited<ReturnType<typeof client.metadata>>['end_session_endpoint'], string | undefined>>(true);
export const shared = new JustLoginStrategy({ client, callbackURL: '/cb' }, withParams);
assertType<Equal<typeof shared.client, JustLoginClient>>(true);
new JustLoginStrategy({ client, callbackURL: '/cb', passReqToCallback: true }, withRequestAndProfile);
new JustLoginStrategy({ client, callbackURL: '/cb' }, (accessToken, _refreshToken, _params, profile, done) => {
  assertType<Equal<typeof accessToken, string>>(true);
  done(null, { id: profile.id });
});
// @ts-expect-error the client is a JustLoginClient, not its options
new JustLoginStrategy({ client: { clientID: 'client', clientSecret: 'secret' }, callbackURL: '/cb' }, withParams);
// @ts-expect-error callbackURL is required with a client too
new JustLoginStrategy({ client }, withParams);
// @ts-expect-error clientSecret is required
new JustLoginClient({ clientID: 'client' });
// @ts-expect-error fetch is a function
new JustLoginClient({ clientID: 'client', clientSecret: 'secret', fetch: 'node-fetch' });
// @ts-expect-error discovery is a boolean
new JustLoginClient({ clientID: 'client', clientSecret: 'secret', discovery: 'yes' });
