// The example Express app, written as a user of passport-justlogin would write it.
const express = require('express');
const session = require('express-session');
const passport = require('passport');
const {
  JustLoginApi,
  JustLoginStrategy,
  JustLoginRefresher,
  MemorySessionIndex,
  backChannelLogoutHandler,
  keepTokensFresh,
  postLogoutHandler,
  signOutHandler,
  toTokenSet,
} = require('passport-justlogin');
const pages = require('./pages');

/** Colleagues on one page of the People page. */
const PAGE_SIZE = 25;

/** What the home page says after a failure; set in the session where it happens, shown once. */
const REASONS = {
  state:
    'The sign-in could not be matched to one started in this browser. A sign-in must start and end on the same ' +
    'host name (open the app at the host name of its callback URL, e.g. localhost, not 127.0.0.1) and can be ' +
    'used once. Please sign in again.',
  denied: "You chose No on JustLogin's consent page, so you are not signed in.",
  failed: 'The sign-in with JustLogin did not complete. Please try again.',
  ended: 'Your JustLogin session has ended. Please sign in again.',
  refused: 'JustLogin refused to renew your tokens. Please sign in again.',
};

/** The reason to show for a sign-in that failed with Passport's `info`, by its code. */
function failureReason(info) {
  if (info?.code === 'EBADSTATE') return REASONS.state;
  if (info?.code === 'access_denied') return REASONS.denied;
  return REASONS.failed;
}

/** The page number in `?page=`: a whole number from 1, else 1. */
function pageNumber(value) {
  return typeof value === 'string' && /^[1-9]\d{0,5}$/.test(value) ? Number(value) : 1;
}

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
 * @param {import('passport-justlogin').SessionIndex} [config.sessionIndex]  which sessions hold which JustLogin sign-in, for
 *   back-channel logout; default: in memory
 */
function createApp({
  justlogin,
  sessionSecret,
  sessionStore = new session.MemoryStore(),
  refreshCoordinator,
  sessionIndex = new MemorySessionIndex(),
}) {
  const authenticator = new passport.Passport();
  const strategy = new JustLoginStrategy(justlogin, (accessToken, refreshToken, params, profile, done) => {
    const { id, displayName, username, emails, companyName, roles, userGuid, companyGuid } = profile;
    done(null, {
      profile: { id, displayName, username, emails, companyName, roles, userGuid, companyGuid },
      claims: { ...profile._accessTokenClaims, ...profile._json },
      tokens: toTokenSet(accessToken, refreshToken, params),
    });
  });
  authenticator.use(strategy);
  authenticator.serializeUser((user, done) => done(null, user));
  authenticator.deserializeUser((user, done) => done(null, user));
  const refresher = JustLoginRefresher.fromStrategy(strategy, { coordinator: refreshCoordinator });

  // Each request's client for JustLogin's API, bound to the session's tokens: it renews them when they
  // are due or refused, and writes the renewed ones back to the session before the call goes on.
  const justLoginApi = JustLoginApi.perRequest(refresher, {
    get: (req) => req.user?.tokens,
    set: (req, tokens) => {
      req.user.tokens = tokens;
    },
    // Whose data: the profile's GUIDs (from the id_token or the access token), for opaque access tokens too.
    identity: (req) => req.user?.profile,
  });

  /** Shows `reason` on the home page, once: the app's own message, never text from a URL. */
  function showOnHome(req, res, reason) {
    req.session.reason = reason;
    res.redirect('/');
  }

  /** Signs the user out of this app, then shows `reason` on the home page. */
  function signOutWith(req, res, next, reason) {
    req.logout((err) => (err ? next(err) : showOnHome(req, res, reason)));
  }

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
    onReauthenticate: (req, res, next) => signOutWith(req, res, next, REASONS.ended),
  });

  app.get('/', (req, res) => {
    const reason = req.session.reason;
    if (reason) delete req.session.reason;
    res.send(pages.home({ user: req.user, reason }));
  });

  app.get('/auth/justlogin', (req, res, next) => {
    const returnTo = localPath(req.query.returnTo) ?? '/profile';
    authenticator.authenticate('justlogin', { state: { returnTo } })(req, res, next);
  });

  app.get('/auth/justlogin/callback', (req, res, next) => {
    authenticator.authenticate('justlogin', (err, user, info) => {
      if (err) return next(err);
      if (!user) return showOnHome(req, res, failureReason(info));
      req.logIn(user, (loginErr) => {
        if (loginErr) return next(loginErr);
        // Indexed by JustLogin's session (sid) and user (sub), so that a back-channel logout finds it.
        sessionIndex
          .add(req.sessionID, req.user.claims)
          .then(() => res.redirect(localPath(info?.state?.returnTo) ?? '/profile'), next);
      });
    })(req, res, next);
  });

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
      if (err.code === 'invalid_grant' || err.code === 'ENOREFRESHTOKEN')
        return signOutWith(req, res, next, REASONS.refused);
      next(err);
    }
  });

  // Colleagues page by page, the user's own leave types and, for an HR admin, their pay: renewal of the
  // tokens happens inside the API client, unseen.
  app.get('/people', signedIn, async (req, res, next) => {
    const year = new Date().getFullYear();
    try {
      const api = justLoginApi(req);
      const [colleagues, leaveTypes, pay] = await Promise.all([
        api.employees.listPage({
          page: pageNumber(req.query.page),
          limit: PAGE_SIZE,
          include: ['department', 'employment'],
        }),
        api.leave.assignedLeaveTypes({ year }).then((answer) => answer.leaveTypes),
        // Only HR administrators may read pay information: JustLogin answers 403 to everyone else.
        api.payroll.payInfo().catch((err) => {
          if (err.status === 403) return undefined;
          throw err;
        }),
      ]);
      res.send(pages.people({ user: req.user, colleagues, leave: { year, leaveTypes }, pay }));
    } catch (err) {
      if (err.reauthenticate) return signOutWith(req, res, next, REASONS.ended);
      next(err);
    }
  });

  // Sign-out (a POST: the top bar's button): revokes the refresh token at JustLogin, ends this app's
  // session, then JustLogin's, so that the next sign-in asks who is signing in; JustLogin sends the
  // browser back to /auth/signed-out, which checks the sign-out's state and goes home.
  app.post(
    '/logout',
    signOutHandler({
      refresher,
      postLogoutRedirectURI: new URL('/auth/signed-out', justlogin.callbackURL).href,
      sessions: sessionIndex,
    }),
  );
  app.get('/auth/signed-out', postLogoutHandler({ returnTo: '/' }));

  // Back-channel logout: JustLogin posts here when the user signs out elsewhere; every session of that
  // sign-in ends, on every instance that shares the session store and the index.
  app.post(
    '/auth/backchannel-logout',
    backChannelLogoutHandler({ client: strategy.client, sessions: sessionIndex, store: sessionStore }),
  );

  app.use((err, req, res, next) => {
    const status = err.retryable ? 503 : 500;
    const text = err.retryable ? `JustLogin is not answering right now (${err.code}). Please try again.` : err.message;
    res.status(status).send(pages.problem('Something went wrong', text));
  });

  return app;
}

module.exports = { createApp, localPath };
