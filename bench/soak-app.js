'use strict';
// The soak's app, written as a user of the built package would write it:
// Express 5, express-session, passport, JustLoginStrategy on the sandbox and
// keepTokensFresh on `req.user.tokens`. Before keepTokensFresh another
// middleware takes 0–SOAK_MAX_DELAY_MS ms, as real middleware would.
// With SOAK_REDIS_URL the sessions live in Redis and renewals are shared
// through RedisRefreshCoordinator, so several instances can serve one user.
// Prints `soak-app listening: <url>` once it listens.
const { createHash } = require('node:crypto');
const express = require('express');
const session = require('express-session');
const passport = require('passport');
const { JustLoginStrategy, JustLoginRefresher, keepTokensFresh, toTokenSet } = require('..');
const { RedisRefreshCoordinator } = require('../dist/redis/index.js');

const { SOAK_SANDBOX_ORIGIN, SOAK_CALLBACK_URL, SOAK_SESSION_SECRET, SOAK_REDIS_URL } = process.env;
const skewMs = Number(process.env.SOAK_SKEW_SECONDS) * 1000;
const maxDelayMs = Number(process.env.SOAK_MAX_DELAY_MS);

/** What keepTokensFresh and the error handler ran into, by error code. */
const stats = { reauthenticate: {}, errors: {} };
const count = (table, code) => {
  table[code] = (table[code] ?? 0) + 1;
};

/** Names a refresh token in a response without revealing it: 12 hex digits of its SHA-256. */
const tokenId = (token) => (token ? createHash('sha256').update(token).digest('hex').slice(0, 12) : '-');

async function sharedState() {
  if (!SOAK_REDIS_URL) return { redis: undefined };
  const { createClient } = require('redis');
  const { RedisStore } = require('connect-redis');
  const redis = createClient({ url: SOAK_REDIS_URL });
  redis.on('error', (err) => count(stats.errors, `redis: ${err.code ?? err.message}`));
  await redis.connect();
  return {
    redis,
    sessionStore: new RedisStore({ client: redis, prefix: 'soak-session:' }),
    refreshCoordinator: new RedisRefreshCoordinator({ client: redis, secret: SOAK_SESSION_SECRET }),
  };
}

async function main() {
  const { redis, sessionStore, refreshCoordinator } = await sharedState();
  const authenticator = new passport.Passport();
  const strategy = new JustLoginStrategy(
    {
      clientID: 'demo-client',
      clientSecret: 'demo-secret',
      callbackURL: SOAK_CALLBACK_URL,
      baseURL: SOAK_SANDBOX_ORIGIN,
    },
    (accessToken, refreshToken, params, profile, done) =>
      done(null, { sub: profile.id, tokens: toTokenSet(accessToken, refreshToken, params) }),
  );
  authenticator.use(strategy);
  authenticator.serializeUser((user, done) => done(null, user));
  authenticator.deserializeUser((user, done) => done(null, user));
  const refresher = JustLoginRefresher.fromStrategy(strategy, { coordinator: refreshCoordinator });

  const app = express();
  app.disable('x-powered-by');
  app.use(
    session({
      name: 'soak.sid',
      secret: SOAK_SESSION_SECRET,
      store: sessionStore,
      resave: false,
      saveUninitialized: false,
    }),
  );
  app.use(authenticator.session());

  app.get('/soak/stats', (req, res) => res.json(stats));
  app.get('/auth/justlogin', authenticator.authenticate('justlogin'));
  app.get(
    '/auth/justlogin/callback',
    authenticator.authenticate('justlogin', { failureRedirect: '/failed' }),
    (req, res) => res.redirect('/api/me'),
  );

  const signedIn = (req, res, next) => (req.user ? next() : res.status(401).json({ error: 'signed_out' }));
  const otherMiddleware = (req, res, next) => setTimeout(next, Math.random() * maxDelayMs);
  const freshTokens = keepTokensFresh(refresher, {
    skewMs,
    get: (req) => req.user?.tokens,
    set: (req, tokens) => {
      req.user.tokens = tokens;
    },
    onReauthenticate: (req, res, next, error) => {
      count(stats.reauthenticate, error.code);
      req.logout((err) => (err ? next(err) : res.status(401).json({ error: 'reauthentication_required' })));
    },
  });
  app.get('/api/me', signedIn, otherMiddleware, freshTokens, (req, res) => {
    const { sub, tokens } = req.user;
    res.json({ sub, rt: tokenId(tokens.refreshToken), expiresAt: tokens.expiresAt });
  });

  // eslint-disable-next-line no-unused-vars
  app.use((err, req, res, next) => {
    count(stats.errors, err.code ?? err.name);
    res.status(err.retryable ? 503 : 500).json({ error: err.code ?? 'error' });
  });

  const server = app.listen(0, '127.0.0.1', () =>
    console.log(`soak-app listening: http://127.0.0.1:${server.address().port}`),
  );
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    redis?.destroy();
    process.exit(0);
  });
}

main().catch((err) => {
  console.error(`soak-app: ${err.message}`);
  process.exit(1);
});
