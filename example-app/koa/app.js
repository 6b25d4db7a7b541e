// The example Koa app: signs users in with JustLogin through koa-passport, keeps sessions with
// koa-session in a store on the server and renews the tokens before each API call.
const Koa = require('koa');
const { Router } = require('@koa/router');
const { createSession } = require('koa-session');
const { KoaPassport } = require('koa-passport');
const { JustLoginStrategy, JustLoginRefresher, toTokenSet } = require('passport-justlogin');
const { keepTokensFreshKoa, postLogoutHandlerKoa, signOutHandlerKoa } = require('passport-justlogin/koa');

/** Sessions in this process's memory; use a shared store (e.g. Redis) with several instances. */
function memoryStore() {
  const sessions = new Map();
  return {
    get: (key) => sessions.get(key),
    set: (key, value) => void sessions.set(key, value),
    destroy: (key) => void sessions.delete(key),
  };
}

/**
 * @param {object} config
 * @param {object} config.justlogin  JustLoginStrategy options (clientID, clientSecret, callbackURL, baseURL | environment)
 * @param {string[]} config.keys  keys that sign the session cookie
 * @param {import('passport-justlogin').RefreshCoordinator} [config.refreshCoordinator]  default: one renewal per token in this process
 */
function createApp({ justlogin, keys, store = memoryStore(), refreshCoordinator }) {
  const app = new Koa();
  app.keys = keys;
  const passport = new KoaPassport();
  const strategy = new JustLoginStrategy(justlogin, (accessToken, refreshToken, params, profile, done) => {
    done(null, { id: profile.id, name: profile.displayName, tokens: toTokenSet(accessToken, refreshToken, params) });
  });
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user, done) => done(null, user));
  const refresher = JustLoginRefresher.fromStrategy(strategy, { coordinator: refreshCoordinator });

  // JustLogin timed out or answered 5xx: the tokens are unchanged and the user stays signed in.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      ctx.status = err.retryable ? 503 : 500;
      ctx.body = { error: err.retryable ? 'justlogin_unavailable' : 'internal_error' };
    }
  });
  app.use(createSession({ key: 'example.sid', store, httpOnly: true, sameSite: 'lax' }, app));
  app.use(passport.initialize());
  app.use(passport.session());

  // Renews the tokens before a route when they expire within 60 s (one renewal for concurrent requests).
  const freshTokens = keepTokensFreshKoa(refresher, {
    get: (ctx) => ctx.state.user?.tokens,
    set: (ctx, tokens) => {
      ctx.state.user.tokens = tokens; // the session's own object: koa-session saves it
    },
  });
  const signedIn = async (ctx, next) => {
    if (!ctx.isAuthenticated()) {
      ctx.status = 401;
      ctx.body = { error: 'sign_in_required' };
      return;
    }
    await next();
  };

  const router = new Router();
  router.get('/auth/justlogin', passport.authenticate('justlogin'));
  router.get('/auth/justlogin/callback', passport.authenticate('justlogin', { successRedirect: '/profile' }));
  router.get('/profile', signedIn, freshTokens, (ctx) => {
    const { id, name, tokens } = ctx.state.user;
    ctx.body = { id, name, expiresAt: tokens.expiresAt };
  });
  // Sign-out (POST): revokes the refresh token, ends this app's session, then JustLogin's, which
  // sends the browser back to /auth/signed-out: the sign-out's state is checked there.
  router.post(
    '/logout',
    signOutHandlerKoa({ refresher, postLogoutRedirectURI: new URL('/auth/signed-out', justlogin.callbackURL).href }),
  );
  router.get('/auth/signed-out', postLogoutHandlerKoa({ returnTo: '/profile' }));
  app.use(router.routes());
  return app;
}

module.exports = { createApp };
