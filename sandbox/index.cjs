'use strict';
// justlogin-sandbox for CommonJS: the sandbox runs in a child process (oidc-provider is an ES
// module, which test runners such as Jest cannot load in their CommonJS module runtime).
const { fork } = require('node:child_process');
const path = require('node:path');

const { checkOptions } = require('./lib/options.cjs');
const { CookieJar, SandboxSignInError, signIn } = require('./lib/sign-in.cjs');
const { signOutEverywhere } = require('./lib/sign-out-call.cjs');
const { createTokenRequestLog } = require('./lib/token-requests.cjs');

const CHILD = path.join(__dirname, 'lib', 'child.mjs');
const START_TIMEOUT_MS = 15_000;

/** The demo users: ACME alice and bob, GLOBEX carol. */
const DEMO_USERS = require('./demo-users.json');

/** Starts the sandbox; see index.d.cts. */
async function startSandbox(options) {
  const checked = checkOptions(options);
  const log = createTokenRequestLog(options.onTokenRequest);
  const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'json' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let started = false;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    if (started) process.stderr.write(chunk);
    else stderr += chunk;
  });

  const { origin, issuer } = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the sandbox did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox stopped with code ${code} before listening${stderr ? `:\n${stderr}` : ''}`));
    });
    child.on('message', (message) => {
      if (message.tokenRequest) log.add(message.tokenRequest);
      if (message.listening) {
        clearTimeout(timer);
        resolve(message.listening);
      }
      if (message.failed) {
        clearTimeout(timer);
        child.disconnect();
        const { name, message: text, code } = message.failed;
        reject(Object.assign(name === 'TypeError' ? new TypeError(text) : new Error(text), code ? { code } : {}));
      }
    });
    child.send(checked);
  });
  started = true;
  process.stderr.write(stderr);

  let stopped;
  return {
    origin,
    issuer,
    clients: checked.clients,
    users: checked.users ?? DEMO_USERS,
    tokens: checked.tokens,
    tokenRequests: log.list,
    waitForTokenRequests: log.wait,
    signOutEverywhere: (user) => signOutEverywhere(origin, user),
    stop() {
      stopped ??= (async () => {
        if (child.connected) {
          // Reports arrive in order: once `stopped` arrives, every answered token request is logged.
          const acknowledged = new Promise((resolve) => {
            child.on('message', (message) => message.stopped && resolve());
            child.once('exit', resolve);
          });
          child.send({ stop: true });
          await acknowledged;
          if (child.connected) child.disconnect();
        }
        await exited;
      })();
      return stopped;
    },
  };
}

module.exports = { CookieJar, DEMO_USERS, SandboxSignInError, signIn, startSandbox };
