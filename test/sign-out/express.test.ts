// Sign-out with Express (express-session, Passport): signOutHandler and postLogoutHandler on the sandbox.
import type { Server } from 'node:http';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { JustLoginStrategy, postLogoutHandler, signOutHandler, toTokenSet } from '../../lib';
import { describeSignOut } from '../support/sign-out-scenario';

describeSignOut('Express', async ({ port, url, client, refresher, postLogoutRedirectURI, signedIn, logger }) => {
  const passport = new Passport();
  passport.use(
    new JustLoginStrategy(
      { client, callbackURL: `${url}/auth/justlogin/callback` },
      (accessToken, refreshToken, params, profile, done) => {
        const tokens = toTokenSet(accessToken, refreshToken, params);
        signedIn(tokens);
        done(null, { id: profile.id, tokens });
      },
    ),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));

  const store = new session.MemoryStore();
  const app = express();
  app.use(session({ secret: 'sign-out-test-session-secret-4Lq9', resave: false, saveUninitialized: false, store }));
  app.use(passport.session());
  app.get('/auth/justlogin', passport.authenticate('justlogin'));
  app.get('/auth/justlogin/callback', passport.authenticate('justlogin'), (_req, res) => res.redirect('/profile'));
  app.get('/profile', (req, res) => (req.user ? res.json({ signedIn: true }) : res.status(401).json({})));
  app.all('/logout', signOutHandler({ refresher, postLogoutRedirectURI, logger }));
  app.get('/auth/signed-out', postLogoutHandler({ returnTo: '/?signed-out=1' }));

  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(port, '127.0.0.1', () => resolve(listening));
  });
  return {
    stop: () => new Promise((resolve) => server.close(() => resolve())),
    storedSessions: () =>
      new Promise((resolve, reject) =>
        store.length((err: Error | null, length) => (err ? reject(err) : resolve(length ?? 0))),
      ),
  };
});
