// `node example-app/fastify/main.js`: the Fastify example on JustLogin (JUSTLOGIN_BASE_URL: a sandbox).
// SESSION_KEY (64 hex characters) encrypts the session cookie; unset, sessions end with the process.
const { randomBytes } = require('node:crypto');
const { createApp } = require('./app');

const env = process.env;
const app = createApp({
  justlogin: {
    clientID: env.JUSTLOGIN_CLIENT_ID,
    clientSecret: env.JUSTLOGIN_CLIENT_SECRET,
    callbackURL: env.JUSTLOGIN_CALLBACK_URL,
    baseURL: env.JUSTLOGIN_BASE_URL || undefined, // unset: JustLogin production
  },
  sessionKey: env.SESSION_KEY ? Buffer.from(env.SESSION_KEY, 'hex') : randomBytes(32),
});
app.listen({ port: Number(env.PORT || 3000), host: env.HOST || '127.0.0.1' }).then(
  (url) => console.log(`Fastify example listening on ${url}`),
  (err) => {
    console.error(`Fastify example: ${err.message}`);
    process.exit(1);
  },
);
