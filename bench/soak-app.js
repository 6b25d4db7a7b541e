'use strict';
// The soak's app, written as a user of the built package would write it: Express 5,
// express-session with its sessions in Redis (connect-redis on node-redis's sentinel client),
// passport, JustLoginStrategy on the sandbox, keepTokensFresh on `req.user.tokens` and a
// RedisRefreshCoordinator on a Redis watched by Sentinel: node-redis's sentinel client or ioredis
// in Sentinel mode (SOAK_COORDINATOR_CLIENT). Before keepTokensFresh another middleware takes
// 0–SOAK_MAX_DELAY_MS ms, as real middleware would. /api/profile also calls JustLogin's API.
// It counts what the soak reports: the coordinator's Redis commands by name, the time a request
// spent in keepTokensFresh when its tokens were renewed, renewal outcomes, warnings, heap.
// Prints `soak-app listening: <url>` once it listens.
const { createHash } = require('node:crypto');
const { subscribe } = require('node:diagnostics_channel');
const { performance } = require('node:perf_hooks');
const express = require('express');
const session = require('express-session');
const passport = require('passport');
const { RedisStore } = require('connect-redis');
const { createSentinel } = require('redis');
const { Redis } = require('ioredis');
const env = process.env;
// SOAK_DIST: another build of the package than dist/ (e.g. one kept apart while dist/ is rebuilt).
const dist = env.SOAK_DIST;
const { JustLoginApi, JustLoginStrategy, JustLoginRefresher, keepTokensFresh, toTokenSet } = require(
  dist ? `${dist}/index.js` : 'passport-justlogin',
);
const { RedisRefreshCoordinator } = require(dist ? `${dist}/redis/index.js` : 'passport-justlogin/redis');

const skewMs = Number(env.SOAK_SKEW_MS);
const maxDelayMs = Number(env.SOAK_MAX_DELAY_MS);
const sentinels = JSON.parse(env.SOAK_SENTINELS);

const stats = {
  reauthenticate: {},
  errors: {},
  /** Redis commands the coordinator sent, by name. */
  redisCommands: {},
  warnings: 0,
  /** `outcome source code` of every `passport-justlogin:renewal` message. */
  renewals: {},
  /** Milliseconds spent in keepTokensFresh by requests whose tokens it renewed (or got renewed). */
  addedLatencyMs: [],
  /** Summed lengths of the tokens of renewed sets, and how many: the grace window's entry size. */
  tokenChars: { access: 0, refresh: 0, id: 0, sets: 0 },
};
const count = (table, key) => {
  table[key] = (table[key] ?? 0) + 1;
};
subscribe('passport-justlogin:renewal', ({ outcome, source, code }) =>
  count(stats.renewals, [outcome, source, code].filter(Boolean).join(' ')),
);

/** Names a refresh token without revealing it: 12 hex digits of its SHA-256, as the sandbox logs it. */
const tokenId = (token) => (token ? createHash('sha256').update(token).digest('hex').slice(0, 12) : '-');

/** `client`, its raw commands counted in stats.redisCommands (methods keep their own `this`). */
function counted(client) {
  return new Proxy(client, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== 'function') return value;
      if (name === 'call') {
        return (command, ...args) => {
          count(stats.redisCommands, String(command).toUpperCase());
          return value.call(target, command, ...args);
        };
      }
      if (name === 'sendCommand') {
        return (...args) => {
          count(stats.redisCommands, String(args.find(Array.isArray)[0]).toUpperCase());
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
}

/**
 * Set by POST /soak/die-mid-renewal: the next renewal this instance holds the lock for kills the
 * process before its token request goes out, once no other renewal of this instance is under way
 * (renewals that take their lock meanwhile wait). Dying while a token request is at JustLogin would
 * spend that refresh token with nobody to learn the new one, and sign that user out: no
 * coordinator can prevent that.
 */
let dieMidRenewal = false;

async function redisClients() {
  const sessions = createSentinel({ name: env.SOAK_SENTINEL_NAME, sentinelRootNodes: sentinels });
  sessions.on('error', (err) => count(stats.errors, `redis: ${err.code ?? err.name}`));
  await sessions.connect();
  let coordination = sessions;
  if (env.SOAK_COORDINATOR_CLIENT === 'ioredis') {
    coordination = new Redis({ name: env.SOAK_SENTINEL_NAME, sentinels, lazyConnect: true });
    coordination.on('error', (err) => count(stats.errors, `ioredis: ${err.code ?? err.name}`));
    await coordination.connect();
  }
  const coordinator = new RedisRefreshCoordinator({
    client: counted(coordination),
    secret: env.SOAK_SESSION_SECRET,
    lockMs: Number(env.SOAK_LOCK_MS),
    logger: {
      warn: (message) => {
        stats.warnings += 1;
        console.error(message);
      },
    },
  });
  /** Renewals that took their lock here and are not finished (their result published) yet. */
  let renewing = 0;
  /** The coordinator, but a renewal run here while armed (lock held, nothing sent yet) kills the process. */
  const dying = {
    lockMs: coordinator.lockMs,
    run(key, task, options) {
      let mine = false;
      const renewal = coordinator.run(
        key,
        async () => {
          while (dieMidRenewal) {
            if (renewing === 0) {
              console.log(`soak-app: dying mid-renewal rt=${key.slice(0, 12)}`);
              process.kill(process.pid, 'SIGKILL');
            }
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          mine = true;
          renewing += 1;
          return task();
        },
        options,
      );
      // Finished once its result is in Redis: a renewal whose publication the coordinator put off (Redis
      // slow or away) is still under way, since dying then would lose a spent refresh token's result.
      renewal
        .then(
          () => mine && untilPublished(key),
          () => undefined,
        )
        .finally(() => {
          if (mine) renewing -= 1;
        });
      return renewal;
    },
  };
  /** Resolves once the renewal of `key` is published, or after resultMs (30 s) when it never is. */
  async function untilPublished(key) {
    const resultKey = `passport-justlogin:refresh:{${key}}:result`;
    for (const until = Date.now() + 30_000; Date.now() < until;) {
      if (await sessions.exists(resultKey).catch(() => 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { sessions, coordination, coordinator: dying };
}

async function main() {
  const { sessions, coordination, coordinator } = await redisClients();
  const authenticator = new passport.Passport();
  const strategy = new JustLoginStrategy(
    {
      clientID: 'demo-client',
      clientSecret: 'demo-secret',
      callbackURL: env.SOAK_CALLBACK_URL,
      baseURL: env.SOAK_SANDBOX_ORIGIN,
      timeout: Number(env.SOAK_TIMEOUT_MS),
    },
    (accessToken, refreshToken, params, profile, done) =>
      done(null, { sub: profile.id, tokens: toTokenSet(accessToken, refreshToken, params) }),
  );
  authenticator.use(strategy);
  authenticator.serializeUser((user, done) => done(null, user));
  authenticator.deserializeUser((user, done) => done(null, user));
  const refresher = JustLoginRefresher.fromStrategy(strategy, { coordinator });

  const app = express();
  app.disable('x-powered-by');
  app.use(
    session({
      name: 'soak.sid',
      secret: env.SOAK_SESSION_SECRET,
      store: new RedisStore({ client: sessions, prefix: 'soak-session:' }),
      resave: false,
      saveUninitialized: false,
    }),
  );
  app.use(authenticator.session());

  app.get('/soak/stats', (req, res) => res.json(stats));
  app.get('/soak/heap', (req, res) => {
    global.gc?.();
    res.json({ heapUsed: process.memoryUsage().heapUsed });
  });
  app.post('/soak/die-mid-renewal', (req, res) => {
    dieMidRenewal = true;
    res.json({ armed: true });
  });
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
  /** keepTokensFresh, timed when the request's tokens changed under it. */
  const timedFreshTokens = (req, res, next) => {
    const before = req.user.tokens;
    const started = performance.now();
    freshTokens(req, res, (err) => {
      const { tokens } = req.user ?? {};
      if (!err && tokens && tokens !== before) {
        stats.addedLatencyMs.push(Math.round((performance.now() - started) * 10) / 10);
        stats.tokenChars.access += tokens.accessToken.length;
        stats.tokenChars.refresh += tokens.refreshToken?.length ?? 0;
        stats.tokenChars.id += tokens.idToken?.length ?? 0;
        stats.tokenChars.sets += 1;
      }
      next(err);
    });
  };
  const answer = (req, res) => {
    const { sub, tokens } = req.user;
    res.json({ sub, rt: tokenId(tokens.refreshToken), expiresAt: tokens.expiresAt });
  };
  app.get('/api/me', signedIn, otherMiddleware, timedFreshTokens, answer);
  app.get('/api/profile', signedIn, otherMiddleware, timedFreshTokens, async (req, res, next) => {
    try {
      const api = new JustLoginApi({
        refresher,
        tokens: req.user.tokens,
        skewMs,
        onTokens: (tokens) => {
          req.user.tokens = tokens;
        },
      });
      await api.employees.me();
      answer(req, res);
    } catch (err) {
      next(err);
    }
  });

  // eslint-disable-next-line no-unused-vars
  app.use((err, req, res, next) => {
    count(stats.errors, err.code ?? err.name);
    console.error(`soak-app: ${req.path} ${err.code ?? err.name}: ${String(err.message).split('\n')[0]}`);
    // The refresh token the session holds now, so the soak sees every renewal, even one followed by an error.
    const rt = req.user?.tokens ? tokenId(req.user.tokens.refreshToken) : undefined;
    res.status(err.retryable ? 503 : 500).json({ error: err.code ?? 'error', rt });
  });

  const server = app.listen(0, '127.0.0.1', () =>
    console.log(`soak-app listening: http://127.0.0.1:${server.address().port}`),
  );
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void sessions.destroy();
    if (coordination !== sessions) coordination.disconnect();
    process.exit(0);
  });
}

main().catch((err) => {
  console.error(`soak-app: ${err.message}`);
  process.exit(1);
});
