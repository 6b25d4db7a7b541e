// `npm run example`: the example app, on the bundled JustLogin sandbox (default)
// or on the real JustLogin when JUSTLOGIN_CLIENT_ID, JUSTLOGIN_CLIENT_SECRET and
// JUSTLOGIN_CALLBACK_URL are set.
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const path = require('node:path');
const readline = require('node:readline');
const { createApp } = require('./app');

const PORT = Number(process.env.PORT ?? 3000);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 4000);
const DEMO = { companyId: 'ACME', username: 'alice', password: 'alice-pass' };

function fail(message) {
  console.error(`example: ${message}`);
  process.exit(1);
}

/** Starts the sandbox as its own process; resolves with its origin once it listens. */
function startSandbox(callbackURL) {
  const child = spawn(process.execPath, [path.join(__dirname, 'sandbox', 'main.mjs')], {
    env: { ...process.env, SANDBOX_PORT: String(SANDBOX_PORT), JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve) => {
    child.once('exit', (code) => fail(`the JustLogin sandbox stopped (exit code ${code})`));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const listening = /^JustLogin sandbox listening: issuer=(\S+)$/.exec(line);
      if (listening) resolve({ child, origin: new URL(listening[1]).origin });
    });
  });
}

async function main() {
  const real = process.env.JUSTLOGIN_CLIENT_ID && process.env.JUSTLOGIN_CLIENT_SECRET && process.env.JUSTLOGIN_CALLBACK_URL;
  let sandbox;
  let justlogin;
  if (real) {
    justlogin = {
      clientID: process.env.JUSTLOGIN_CLIENT_ID,
      clientSecret: process.env.JUSTLOGIN_CLIENT_SECRET,
      callbackURL: process.env.JUSTLOGIN_CALLBACK_URL,
      environment: process.env.JUSTLOGIN_ENV || 'production',
    };
  } else {
    const callbackURL = `http://localhost:${PORT}/auth/justlogin/callback`;
    sandbox = await startSandbox(callbackURL);
    justlogin = { clientID: 'demo-client', clientSecret: 'demo-secret', callbackURL, baseURL: sandbox.origin };
  }

  const app = createApp({ justlogin, sessionSecret: process.env.SESSION_SECRET || randomBytes(32).toString('hex') });
  const server = app.listen(PORT, () => {
    console.log(`passport-justlogin example: http://localhost:${PORT}`);
    if (sandbox) {
      console.log(`JustLogin sandbox: ${sandbox.origin} — sign in with Company Id ${DEMO.companyId}, Username ${DEMO.username}, Password ${DEMO.password}`);
    } else {
      console.log(`Signing in with JustLogin (environment: ${justlogin.environment}).`);
    }
  });
  server.on('error', (err) => {
    sandbox?.child.kill();
    fail(err.code === 'EADDRINUSE' ? `port ${PORT} is already in use (set PORT to another port)` : err.message);
  });

  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      sandbox?.child.removeAllListeners('exit');
      sandbox?.child.kill('SIGTERM');
      server.close();
      server.closeAllConnections();
      process.exit(0);
    });
  }
}

main().catch((err) => fail(err.message));
