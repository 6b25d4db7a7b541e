// A small app run as its own process by test/debug-log.test.ts, with or without
// NODE_DEBUG=passport-justlogin: it signs alice in on the sandbox (SANDBOX_ORIGIN, whose client
// redirects to CALLBACK_URL) through Express and passport, renews her tokens, calls the API once and
// renews with a spent refresh token (refused). It uses the built package (PACKAGE, a folder) as an
// app would, and prints, as JSON on stdout, every secret it met: the debug lines on stderr must hold none.
const express = require('express');
const session = require('express-session');
const { Passport } = require('passport');
const request = require('supertest');
const { DEMO_USERS, signIn } = require('justlogin-sandbox');

const { JustLoginApi, JustLoginClient, JustLoginRefresher, JustLoginStrategy, toTokenSet } = require(
  process.env.PACKAGE,
);

async function main() {
  const client = new JustLoginClient({
    clientID: 'demo-client',
    clientSecret: 'demo-secret',
    baseURL: process.env.SANDBOX_ORIGIN,
    discovery: true,
    verifyIdTokenSignature: true,
  });
  let tokens;
  const strategy = new JustLoginStrategy(
    { client, callbackURL: process.env.CALLBACK_URL },
    (accessToken, refreshToken, params, profile, done) => {
      tokens = toTokenSet(accessToken, refreshToken, params);
      done(null, { id: profile.id });
    },
  );
  const passport = new Passport();
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, user));
  const app = express();
  app.use(session({ secret: 'debug-log-session-secret', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.get('/login', passport.authenticate('justlogin'));
  app.get('/callback', passport.authenticate('justlogin'), (req, res) => res.send('signed in'));

  const agent = request.agent(app);
  const paths = [];
  const cookies = [];
  const recording = {
    get(path) {
      paths.push(path);
      return agent.get(path).then((res) => {
        for (const cookie of res.headers['set-cookie'] ?? []) cookies.push(decodeURIComponent(cookie.split(/[=;]/)[1]));
        return res;
      });
    },
  };
  const alice = DEMO_USERS.find((user) => user.username === 'alice');
  const answer = await signIn({ agent: recording, start: '/login', ...alice });
  if (answer.status !== 200) throw new Error(`the sign-in ended with HTTP ${answer.status}`);
  const callback = new URL(paths.at(-1), 'http://app.invalid').searchParams;

  const refresher = new JustLoginRefresher({ client });
  const renewed = await refresher.refresh({ refreshToken: tokens.refreshToken, idToken: tokens.idToken });
  await new JustLoginApi({ refresher, tokens: renewed }).employees.me();
  const refused = await new JustLoginRefresher({ client, graceMs: 0 })
    .refresh({ refreshToken: tokens.refreshToken })
    .then(
      () => 'renewed',
      (error) => error.code,
    );
  if (refused !== 'invalid_grant') throw new Error(`the spent refresh token got ${refused}`);

  console.log(
    JSON.stringify({
      secrets: [
        'demo-secret',
        tokens.accessToken,
        tokens.refreshToken,
        tokens.idToken,
        renewed.accessToken,
        renewed.refreshToken,
        renewed.idToken,
        callback.get('code'),
        callback.get('state'),
        ...cookies,
      ],
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
