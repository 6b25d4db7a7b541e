'use strict';
// The app under test, in its own process: Express 5, express-session and
// passport 0.7, `/login` then `/callback`, signing in with one contender
// (argv: a name in CONTENDERS, then the token server's origin).
const { subscribe, tracingChannel } = require('node:diagnostics_channel');
const express = require('express');
const session = require('express-session');
const { Passport } = require('passport');
const OAuth2Strategy = require('passport-oauth2');
const { JustLoginStrategy } = require('passport-justlogin');
const { serve } = require('./child');
const { clientID, clientSecret } = require('./client');

const [contender, origin] = process.argv.slice(2);
const options = {
  clientID,
  clientSecret,
  callbackURL: '/callback',
  authorizationURL: `${origin}/authorize`,
  tokenURL: `${origin}/token`,
};
const verifyProfile = (accessToken, refreshToken, params, profile, done) => done(null, { id: profile.id });

/** One subscriber on each of passport-justlogin's diagnostics channels (every event of the tracing ones), counting. */
function subscribeToEveryChannel() {
  let events = 0;
  const count = () => {
    events += 1;
  };
  for (const name of ['token', 'api', 'keys', 'discovery']) {
    tracingChannel(`passport-justlogin:${name}`).subscribe({
      start: count,
      end: count,
      asyncStart: count,
      asyncEnd: count,
      error: count,
    });
  }
  for (const name of ['sign-in', 'renewal']) subscribe(`passport-justlogin:${name}`, count);
}

/** The id_token's claims as an app on passport-oauth2 reads them: decoded by hand, nothing checked. */
function handParsedClaims(idToken) {
  return JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString('utf8'));
}

// passport-justlogin with its defaults (state, PKCE, nonce, id_token claim checks), the same with a
// subscriber on each of its diagnostics channels, the same with id_token signatures verified against the
// token server's JWKS, and passport-oauth2 with state and PKCE whose verify decodes the id_token by hand.
const CONTENDERS = {
  justlogin: () => new JustLoginStrategy(options, verifyProfile),
  'justlogin-observed': () => {
    subscribeToEveryChannel();
    return new JustLoginStrategy(options, verifyProfile);
  },
  'justlogin-signed': () =>
    new JustLoginStrategy({ ...options, verifyIdTokenSignature: true, jwksURL: `${origin}/jwks` }, verifyProfile),
  oauth2: () =>
    new OAuth2Strategy({ ...options, state: true, pkce: true }, (accessToken, refreshToken, params, profile, done) =>
      done(null, { id: handParsedClaims(params.id_token).sub }),
    ),
};
const strategy = CONTENDERS[contender]();

const passport = new Passport();
passport.use(strategy);
passport.serializeUser((user, done) => done(null, user.id));

const app = express();
app.use(session({ secret: 'bench-session-secret', resave: false, saveUninitialized: false }));
app.use(passport.initialize());
app.get('/login', passport.authenticate(strategy.name));
app.get('/callback', passport.authenticate(strategy.name, { failureRedirect: '/failed' }), (req, res) => {
  res.send('signed in');
});

const server = app.listen(0, '127.0.0.1', () =>
  serve(server.address().port, {
    cpu: () => process.cpuUsage(),
    // Heap in use after full collections (the process runs with --expose-gc).
    heap: () => {
      global.gc();
      global.gc();
      return { heapUsed: process.memoryUsage().heapUsed };
    },
  }),
);
server.keepAliveTimeout = 60_000;
