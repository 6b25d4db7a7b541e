// The example Express app, written as a user of passport-justlogin would write it.
const express = require('express');
const session = require('express-session');
const passport = require('passport');
const { JustLoginStrategy, JustLoginRefresher, keepTokensFresh, toTokenSet } = require('passport-justlogin');
const pages = require('./pages');

/** Characters no redirect target of this app contains: backslashes and control characters. */
const UNSAFE = /[\\\u0000-\u001f\u007f]/;

/** True when a browser could read `path` as another origin (`//host`, `/\\host`) or it holds an unsafe character. */
const unsafePath = (path) => /^\/[/\\]/.test(path) || UNSAFE.test(path);

/**
 * A path of this app (path and query), or undefined: never another origin, so no open redirect.
 * The path is normalised first (`/.//evil` becomes `//evil`), then refused if it, or its percent-decoded
 * form, could be read as protocol-relative or holds a backslash or a control character.
 */
function localPath(value) {
  if (typeof value !== 'string' || !value.startsWith('/') || UNSAFE.test(value)) return undefined;
  let url, decoded;
  try {
    url = new URL(value, 'http://app.invalid');
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (url.origin !== 'http://app.invalid' || unsafePath(url.pathname) || unsafePath(decoded)) return undefined;
  return url.pathname + url.search;
}

/**
 * @param {object} config
 * @param {object} config.justlogin   JustLoginStrategy options (clientID, clientSecret, callbackURL, baseURL | environment)
 * @param {string} config.sessionSecret
 * @param {import('express-session').Store} [config.sessionStore]  default: in memory
 * @param {import('passport-justlogin').RefreshCoordinator} [config.refreshCoordinator]  default: one renewal per token in this process
 */
function createApp({ justlogin, sessionSecret, sessionStore, refreshCoordinator }) {
  const authenticator = new passport.Passport();
  const strategy = new JustLoginStrategy(justlogin, (accessToken, refreshToken, params, profile, done) => {
    const { id, displayName, username, emails } = profile;
    done(null, {
      profile: { id, displayName, username, emails },
      claims: profile._json,
      tokens: toTokenSet(accessToken, refreshToken, params),
    });
  });
  authenticator.use(strategy);
  authenticator.serializeUser((user, done) => done(null, user));
  authenticator.deserializeUser((user, done) => done(null, user));
  const refresher = JustLoginRefresher.fromStrategy(strategy, { coordinator: refreshCoordinator });

  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false }));
  app.use(
    session({
      name: 'example.sid',
      secret: sessionSecret,
      store: sessionStore,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.use(authenticator.session());

  // Renews the tokens before any page when they expire within 60 s.
  const freshTokens = keepTokensFresh(refresher, {
    get: (req) => req.user?.tokens,
    set: (req, tokens) => {
      req.user.tokens = tokens;
    },
    onReauthenticate: (req, res, next) =>
      req.logout((err) =>
        err ? next(err) : res.redirect('/?error=Your+JustLogin+session+has+ended.+Please+sign+in+again.'),
      ),
  });

  app.get('/', (req, res) => {
    res.send(pages.home({ user: req.user, error: typeof req.query.error === 'string' ? req.query.error : undefined }));
  });

  app.get('/auth/justlogin', (req, res, next) => {
    const returnTo = localPath(req.query.returnTo) ?? '/profile';
    authenticator.authenticate('justlogin', { state: { returnTo } })(req, res, next);
  });

  app.get(
    '/auth/justlogin/callback',
    authenticator.authenticate('justlogin', {
      failureRedirect: '/?error=The+sign-in+with+JustLogin+did+not+complete.',
    }),
    (req, res) => res.redirect(localPath(req.authInfo?.state?.returnTo) ?? '/profile'),
  );

  function signedIn(req, res, next) {
    if (req.user) return next();
    res.redirect(`/auth/justlogin?returnTo=${encodeURIComponent(req.originalUrl)}`);
  }

  app.get('/profile', signedIn, freshTokens, (req, res) => {
    res.send(pages.profile({ user: req.user, renewed: req.query.renewed === '1', now: Date.now() }));
  });

  app.post('/refresh', signedIn, async (req, res, next) => {
    const { tokens } = req.user;
    try {
      req.user.tokens = await refresher.refresh({ refreshToken: tokens.refreshToken, accessToken: tokens.accessToken });
      res.redirect('/profile?renewed=1');
    } catch (err) {
      if (err.code === 'invalid_grant' || err.code === 'no_refresh_token') {
        return req.logout((e) =>
          e ? next(e) : res.redirect('/?error=JustLogin+refused+to+renew+your+tokens.+Please+sign+in+again.'),
        );
      }
      next(err);
    }
  });

  app.post('/logout', (req, res, next) => {
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => res.redirect('/'));
    });
  });

  // eslint-disable-next-line no-unused-vars
  app.use((err, req, res, next) => {
    const status = err.retryable ? 503 : 500;
    const text = err.retryable ? `JustLogin is not answering right now (${err.code}). Please try again.` : err.message;
    res.status(status).send(pages.problem('Something went wrong', text));
  });

  return app;
}

module.exports = { createApp, localPath };
