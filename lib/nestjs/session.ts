// The signed-in user in the session: kept there whole by Passport, their renewed tokens saved back, and the
// session ended, alike on express-session and on @fastify/secure-session.
import passport from 'passport';
import { JustLoginOptionsError, type JustLoginTokenSet } from '../index.js';
import { isJustLoginUser, userOf } from './user.js';

/** What Passport's `session()` adds to a request, and the session middleware. */
interface SessionRequest {
  isAuthenticated?: () => boolean;
  logout?: (done: (err?: unknown) => void) => void;
  /** express-session's `touch()` resets the cookie's age; @fastify/secure-session's marks the session changed. */
  session?: { touch?: () => void };
}

const keeping = new WeakSet<object>();

/**
 * Has Passport keep a JustLogin user whole in the session and give back the
 * session's own object as `req.user`, so that tokens written to `req.user`
 * are written to the session. Other users are left to the app's serializers.
 * Once per Passport instance.
 */
export function keepUsersInSession(authenticator: passport.PassportStatic = passport): void {
  if (keeping.has(authenticator)) return;
  keeping.add(authenticator);
  authenticator.serializeUser((user, done) => (isJustLoginUser(user) ? done(null, user) : done('pass')));
  authenticator.deserializeUser((stored, done) => (isJustLoginUser(stored) ? done(null, stored) : done('pass')));
}

/**
 * Throws, naming the fix, when `passport.session()` has not run on the request:
 * the signed-in user would never be found.
 */
export function requirePassportSession(request: object, component: string): void {
  if (typeof (request as SessionRequest).isAuthenticated !== 'function') {
    throw new JustLoginOptionsError(component, [
      'needs passport.session() before the routes: app.use(passport.session()) after the session middleware on ' +
        'Express, passportOnFastify(fastify, { passport }) on Fastify',
    ]);
  }
}

/**
 * Stores renewed tokens on the request's signed-in user, the session's own
 * object, and marks the session changed: express-session saves a changed
 * session anyway, @fastify/secure-session sends its cookie only when touched.
 */
export function saveTokens(request: object, tokens: JustLoginTokenSet): void {
  const user = userOf(request);
  if (!user) return;
  user.tokens = tokens;
  (request as SessionRequest).session?.touch?.();
}

/** Ends the Passport login and the session's contents (a new session on express-session, an emptied cookie on Fastify). */
export async function endSession(request: object): Promise<void> {
  const { logout } = request as SessionRequest;
  if (typeof logout !== 'function') return;
  await new Promise<void>((resolve, reject) => {
    logout.call(request, (err) => (err ? reject(err as Error) : resolve()));
  });
}
