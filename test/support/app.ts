import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import passport from 'passport';
import type { Strategy } from 'passport';

/**
 * An Express 5 app as a user would write it: express-session, passport 0.7,
 * `/login` starts the sign-in, `/callback` completes it, `/failed` is the
 * failure redirect, and errors are answered as JSON.
 */
export function makeApp(
  strategy: Strategy,
  options: { session?: boolean; loginOptions?: object; onSuccess?: (req: express.Request) => void } = {},
): express.Express {
  const authenticator = new passport.Passport();
  authenticator.use(strategy);
  authenticator.serializeUser((user, done) => done(null, user));
  authenticator.deserializeUser((user: Express.User, done) => done(null, user));

  const app = express();
  if (options.session !== false) {
    app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: false }));
  }
  app.use(authenticator.initialize());
  const name = strategy.name ?? 'justlogin';
  app.get('/login', authenticator.authenticate(name, { session: options.session !== false, ...options.loginOptions }));
  app.get(
    '/callback',
    authenticator.authenticate(name, {
      failureRedirect: '/failed',
      failureMessage: options.session !== false,
      session: options.session !== false,
    }),
    (req, res) => {
      options.onSuccess?.(req);
      res.json({ user: req.user });
    },
  );
  app.get('/failed', (req, res) => {
    const messages = (req.session as { messages?: string[] } | undefined)?.messages ?? [];
    res.status(401).json({ failed: true, messages });
  });
  const onError: ErrorRequestHandler = (
    err: { name?: string; message?: string; code?: string; status?: number; check?: string },
    _req,
    res,
    _next,
  ) => {
    res
      .status(500)
      .json({ error: { name: err.name, message: err.message, code: err.code, status: err.status, check: err.check } });
  };
  app.use(onError);
  return app;
}
