'use strict';
// The app under test, in its own process: Express 5, express-session and
// passport 0.7, `/login` then `/callback`, signing in with one contender
// (argv: `justlogin` or `oauth2`, then the token server's origin).
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
const strategy =
  contender === 'justlogin'
    ? new JustLoginStrategy(options, (accessToken, refreshToken, params, profile, done) =>
        done(null, { id: profile.id }),
      )
    : new OAuth2Strategy({ ...options, state: true, pkce: true }, (accessToken, refreshToken, params, profile, done) =>
        done(null, { id: 'bench-user' }),
      );

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
