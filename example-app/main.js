// `npm run example`: the example app, on the JustLogin sandbox (default) or on the real
// JustLogin when JUSTLOGIN_CLIENT_ID, JUSTLOGIN_CLIENT_SECRET and JUSTLOGIN_CALLBACK_URL are set
// (JUSTLOGIN_ENV=staging for JustLogin's staging environment, JUSTLOGIN_BASE_URL for any other host).
// REDIS_URL keeps the sessions in Redis and makes one token renewal across all
// instances (README: "Running several instances"). The app listens on 127.0.0.1 (this computer only)
// unless HOST names another address (HOST=0.0.0.0: every interface).
const { randomBytes } = require('node:crypto');
const { startSandbox: startJustLoginSandbox } = require('justlogin-sandbox');
const { RedisRefreshCoordinator, RedisSessionIndex } = require('passport-justlogin/redis');
const { createApp } = require('./app');

const PORT = Number(process.env.PORT ?? 3000);
const HOST = process.env.HOST || '127.0.0.1';
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 4000);
const DEMO = { companyId: 'ACME', username: 'alice', password: 'alice-pass' };

function fail(message) {
  console.error(`example: ${message}`);
  process.exit(1);
}

/** Starts the sandbox (justlogin-sandbox) with the example's client; resolves once it listens. */
async function startSandbox(callbackURL) {
  try {
    return await startJustLoginSandbox({
      port: SANDBOX_PORT,
      clients: [
        {
          clientID: 'demo-client',
          clientSecret: 'demo-secret',
          redirectURIs: [callbackURL],
          postLogoutRedirectURIs: [new URL('/auth/signed-out', callbackURL).href],
          backchannelLogoutURI: new URL('/auth/backchannel-logout', callbackURL).href,
          clientName: 'Example app',
        },
      ],
    });
  } catch (err) {
    if (err.code !== 'EADDRINUSE') throw err;
    return fail(`port ${SANDBOX_PORT} for the JustLogin sandbox is already in use (set SANDBOX_PORT to another port)`);
  }
}

/** A connected node-redis client; exits with a clear message when Redis cannot be reached. */
async function connectRedis(url, variable) {
  const { createClient } = require('redis');
  const client = createClient({ url });
  let connected = false;
  // Once connected, node-redis reconnects by itself; without this listener a lost connection would crash the app.
  client.on('error', (err) => connected || fail(`cannot reach Redis at ${variable} (${err.message})`));
  await client.connect();
  connected = true;
  return client;
}

/**
 * With REDIS_URL: sessions (and so the sign-in's state, PKCE verifier and nonce) in Redis, with the
 * index back-channel logout reads, and one renewal per refresh token across instances, locked in
 * REFRESH_REDIS_URL (default REDIS_URL), where the ids of the logout tokens accepted are kept too.
 */
async function sharedState(sessionSecret) {
  const { REDIS_URL } = process.env;
  const REFRESH_REDIS_URL = process.env.REFRESH_REDIS_URL || REDIS_URL;
  if (!REDIS_URL && !REFRESH_REDIS_URL) return {};
  if (!sessionSecret || sessionSecret.length < 32) {
    fail('REDIS_URL needs SESSION_SECRET: at least 32 characters, the same on every instance');
  }
  const lockMs = Number(process.env.REFRESH_LOCK_MS || 20_000);
  if (!Number.isInteger(lockMs) || lockMs < 1000)
    fail('REFRESH_LOCK_MS must be a whole number of milliseconds, 1000 or more');

  const { RedisStore } = require('connect-redis');
  const sessionClient = REDIS_URL && (await connectRedis(REDIS_URL, 'REDIS_URL'));
  const lockClient =
    REFRESH_REDIS_URL === REDIS_URL ? sessionClient : await connectRedis(REFRESH_REDIS_URL, 'REFRESH_REDIS_URL');
  return {
    sessionStore: sessionClient ? new RedisStore({ client: sessionClient }) : undefined,
    sessionIndex: sessionClient ? new RedisSessionIndex({ client: sessionClient }) : undefined,
    refreshCoordinator: new RedisRefreshCoordinator({ client: lockClient, secret: sessionSecret, lockMs }),
    // A renewal must end before its lock expires.
    tokenTimeout: lockMs / 2,
  };
}

const REAL_JUSTLOGIN = ['JUSTLOGIN_CLIENT_ID', 'JUSTLOGIN_CLIENT_SECRET', 'JUSTLOGIN_CALLBACK_URL'];

async function main() {
  // Any JustLogin variable means the real JustLogin: then all three are needed, never the sandbox instead.
  const missing = REAL_JUSTLOGIN.filter((name) => !process.env[name]);
  const real = missing.length === 0;
  if (!real && (missing.length < REAL_JUSTLOGIN.length || process.env.JUSTLOGIN_ENV)) {
    fail(
      `JustLogin itself needs ${REAL_JUSTLOGIN.join(', ')}; missing: ${missing.join(', ')} (unset them all for the sandbox)`,
    );
  }
  const sessionSecret = process.env.SESSION_SECRET || randomBytes(32).toString('hex');
  const { sessionStore, sessionIndex, refreshCoordinator, tokenTimeout } = await sharedState(
    process.env.SESSION_SECRET,
  );
  // Logout tokens accepted by any instance are refused by all: their ids are kept with the renewals.
  const replayStore = refreshCoordinator;
  let sandbox;
  let justlogin;
  if (real) {
    justlogin = {
      clientID: process.env.JUSTLOGIN_CLIENT_ID,
      clientSecret: process.env.JUSTLOGIN_CLIENT_SECRET,
      callbackURL: process.env.JUSTLOGIN_CALLBACK_URL,
      ...(process.env.JUSTLOGIN_BASE_URL
        ? { baseURL: process.env.JUSTLOGIN_BASE_URL }
        : { environment: process.env.JUSTLOGIN_ENV || 'production' }),
      timeout: tokenTimeout,
      replayStore,
    };
  } else {
    const callbackURL = `http://localhost:${PORT}/auth/justlogin/callback`;
    sandbox = await startSandbox(callbackURL);
    justlogin = {
      clientID: 'demo-client',
      clientSecret: 'demo-secret',
      callbackURL,
      baseURL: sandbox.origin,
      timeout: tokenTimeout,
      replayStore,
    };
  }

  const app = createApp({ justlogin, sessionSecret, sessionStore, refreshCoordinator, sessionIndex });
  const server = app.listen(PORT, HOST, (err) => {
    if (err) return; // Express 5 calls back with the error too: the 'error' listener below says why
    const { address } = server.address();
    console.log(`passport-justlogin example: http://localhost:${PORT}`);
    console.log(
      address === '127.0.0.1'
        ? `Listening on 127.0.0.1:${PORT}: this computer only (HOST=0.0.0.0 opens it to the network).`
        : `Listening on ${address}:${PORT}.`,
    );
    if (sandbox) {
      console.log(
        `JustLogin sandbox: ${sandbox.origin} — sign in with Company Id ${DEMO.companyId}, Username ${DEMO.username}, Password ${DEMO.password}`,
      );
    } else if (justlogin.baseURL) {
      console.log(`Signing in with JustLogin at ${justlogin.baseURL}.`);
    } else {
      console.log(`Signing in with JustLogin (environment: ${justlogin.environment}).`);
    }
    if (sessionStore) console.log('Sessions are kept in Redis (REDIS_URL).');
    if (refreshCoordinator) console.log('Token renewals are shared with the other instances through Redis.');
  });
  server.on('error', (err) => {
    sandbox?.stop();
    fail(err.code === 'EADDRINUSE' ? `port ${PORT} is already in use (set PORT to another port)` : err.message);
  });

  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      server.close();
      server.closeAllConnections();
      await sandbox?.stop();
      process.exit(0);
    });
  }
}

main().catch((err) => fail(err.message));
