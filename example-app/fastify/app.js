// The example Fastify app: signs users in with JustLogin through @fastify/passport, keeps the
// session in an encrypted cookie (@fastify/secure-session) and renews the tokens before each API call.
const Fastify = require('fastify');
const { Authenticator } = require('@fastify/passport');
const secureSession = require('@fastify/secure-session');
const { JustLoginStrategy, JustLoginRefresher, toTokenSet } = require('passport-justlogin');
const {
  keepTokensFreshFastify,
  postLogoutHandlerFastify,
  signOutHandlerFastify,
} = require('passport-justlogin/fastify');

/**
 * @param {object} config
 * @param {object} config.justlogin  JustLoginStrategy options (clientID, clientSecret, callbackURL, baseURL | environment)
 * @param {Buffer} config.sessionKey  32 bytes that encrypt the session cookie
 * @param {import('passport-justlogin').RefreshCoordinator} [config.refreshCoordinator]  default: one renewal per token in this process
 */
function createApp({ justlogin, sessionKey, refreshCoordinator }) {
  const app = Fastify();
  const passport = new Authenticator();
  const strategy = new JustLoginStrategy(justlogin, (accessToken, refreshToken, params, profile, done) => {
    done(null, { id: profile.id, name: profile.displayName, tokens: toTokenSet(accessToken, refreshToken, params) });
  });
  passport.use(strategy);
  passport.registerUserSerializer(async (user) => user);
  passport.registerUserDeserializer(async (user) => user);
  const refresher = JustLoginRefresher.fromStrategy(strategy, { coordinator: refreshCoordinator });

  app.register(secureSession, { key: sessionKey, cookie: { path: '/', httpOnly: true, sameSite: 'lax' } });
  app.register(passport.initialize());
  app.register(passport.secureSession());

  app.get('/auth/justlogin', { preValidation: passport.authenticate('justlogin') }, async () => {});
  app.get(
    '/auth/justlogin/callback',
    { preValidation: passport.authenticate('justlogin', { successRedirect: '/profile' }) },
    async () => {},
  );

  // Renews the tokens before a route when they expire within 60 s (one renewal for concurrent requests).
  const freshTokens = keepTokensFreshFastify(refresher, {
    get: (request) => request.user?.tokens,
    set: (request, tokens) => {
      request.user.tokens = tokens;
      request.session.touch(); // request.user is the session's own object: write the cookie again
    },
  });
  const signedIn = async (request, reply) => {
    if (!request.user) return reply.code(401).send({ error: 'sign_in_required' });
  };

  app.get('/profile', { preHandler: [signedIn, freshTokens] }, async (request) => {
    const { id, name, tokens } = request.user;
    return { id, name, expiresAt: tokens.expiresAt };
  });

  // Sign-out (POST): revokes the refresh token, ends this app's session, then JustLogin's, which
  // sends the browser back to /auth/signed-out: the sign-out's state is checked there.
  app.post(
    '/logout',
    signOutHandlerFastify({
      refresher,
      postLogoutRedirectURI: new URL('/auth/signed-out', justlogin.callbackURL).href,
    }),
  );
  app.get('/auth/signed-out', postLogoutHandlerFastify({ returnTo: '/profile' }));

  // JustLogin timed out or answered 5xx: the tokens are unchanged and the user stays signed in.
  app.setErrorHandler(async (err, request, reply) =>
    err.retryable
      ? reply.code(503).send({ error: 'justlogin_unavailable' })
      : reply.code(500).send({ error: 'internal_error' }),
  );
  return app;
}

module.exports = { createApp };
