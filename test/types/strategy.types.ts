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
  type JustLoginVerifyWithParams,
  type JustLoginVerifyWithProfile,
  type JustLoginVerifyWithRequestAndParams,
  type JustLoginVerifyWithRequestAndProfile,
} from '../../lib';
import { assertType, valueOf, type Equal } from './expect';

const options = { clientID: 'client', clientSecret: 'secret', callbackURL: '/auth/justlogin/callback' };

// The inline four-argument form is typed without annotations.
new JustLoginStrategy(options, (accessToken, refreshToken, profile, done) => {
  assertType<Equal<typeof accessToken, string>>(true);
  assertType<Equal<typeof refreshToken, string>>(true);
  assertType<Equal<typeof profile, JustLoginProfile>>(true);
  assertType<Equal<typeof done, JustLoginVerifyCallback>>(true);
  done(null, { id: profile.id });
});

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
  assertType<Equal<typeof req, Request>>(true);
  done(null, { id: profile.id, ip: req.ip });
};
new JustLoginStrategy({ ...options, passReqToCallback: true }, withRequestAndProfile);

const withRequestAndParams: JustLoginVerifyWithRequestAndParams = (
  req,
  _accessToken,
  _refreshToken,
  params,
  profile,
  done,
) => done(null, { id: profile.id, ip: req.ip, expiresIn: params.expires_in });
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
new JustLoginStrategy({ ...options, environment: 'sandbox' }, withParams);
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
// @ts-expect-error 'staging' is not a JustLogin environment
new JustLoginStrategy({ ...options, environment: 'staging' }, withParams);
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
  environment: 'sandbox',
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
new JustLoginStrategy({ client, callbackURL: '/cb' }, (accessToken, _refreshToken, profile, done) => {
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
