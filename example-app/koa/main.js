// `node example-app/koa/main.js`: the Koa example on JustLogin (JUSTLOGIN_BASE_URL: a sandbox).
// SESSION_KEYS (comma-separated) sign the session cookie; unset, sessions end with the process.
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
  keys: env.SESSION_KEYS ? env.SESSION_KEYS.split(',') : [randomBytes(32).toString('hex')],
});
const host = env.HOST || '127.0.0.1';
const server = app.listen(Number(env.PORT || 3000), host, () => {
  console.log(`Koa example listening on http://${host}:${server.address().port}`);
});
