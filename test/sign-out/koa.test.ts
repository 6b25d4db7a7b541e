// Sign-out with Koa (koa-passport, koa-session with a store on the server): signOutHandlerKoa and
// postLogoutHandlerKoa on the sandbox. Koa and koa-passport ship no types: the parts used are typed here.
import type { Server } from 'node:http';
import { Router } from '@koa/router';
import { createSession } from 'koa-session';
import { JustLoginStrategy, toTokenSet } from '../../lib';
import { postLogoutHandlerKoa, signOutHandlerKoa } from '../../lib/frameworks/koa';
import { describeSignOut } from '../support/sign-out-scenario';

type Middleware = (ctx: never, next: () => Promise<unknown>) => unknown;
interface KoaApp {
  keys: string[];
  use(middleware: unknown): void;
  listen(port: number, host: string, ready: () => void): Server;
}
interface KoaPassportLike {
  use(strategy: unknown): void;
  serializeUser(serialize: (user: unknown, done: (err: null, id: unknown) => void) => void): void;
  deserializeUser(deserialize: (id: unknown, done: (err: null, user: unknown) => void) => void): void;
  initialize(): Middleware;
  session(): Middleware;
  authenticate(name: string, options?: object): Middleware;
}
/* eslint-disable @typescript-eslint/no-require-imports */
const Koa = require('koa') as new () => KoaApp;
const { KoaPassport } = require('koa-passport') as { KoaPassport: new () => KoaPassportLike };
/* eslint-enable @typescript-eslint/no-require-imports */

describeSignOut('Koa', async ({ port, url, client, refresher, postLogoutRedirectURI, signedIn, logger }) => {
  const sessions = new Map<string, unknown>();
  const store = {
    get: (key: string) => sessions.get(key),
    set: (key: string, value: unknown) => void sessions.set(key, value),
    destroy: (key: string) => void sessions.delete(key),
  };
  const app = new Koa();
  app.keys = ['sign-out-test-session-key'];
  const passport = new KoaPassport();
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
  passport.deserializeUser((user, done) => done(null, user));
  app.use(createSession({ key: 'test.sid', store, httpOnly: true, sameSite: 'lax' }, app as never));
  app.use(passport.initialize());
  app.use(passport.session());

  const router = new Router();
  router.get('/auth/justlogin', passport.authenticate('justlogin') as never);
  router.get('/auth/justlogin/callback', passport.authenticate('justlogin', { successRedirect: '/profile' }) as never);
  router.get('/profile', (ctx: { status: number; body: unknown; isAuthenticated: () => boolean }) => {
    ctx.status = ctx.isAuthenticated() ? 200 : 401;
    ctx.body = {};
  });
  router.all('/logout', signOutHandlerKoa({ refresher, postLogoutRedirectURI, logger }) as never);
  router.get('/auth/signed-out', postLogoutHandlerKoa({ returnTo: '/?signed-out=1' }) as never);
  app.use(router.routes());

  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(port, '127.0.0.1', () => resolve(listening));
  });
  return {
    stop: () => new Promise((resolve) => server.close(() => resolve())),
    storedSessions: () => Promise.resolve(sessions.size),
  };
});
