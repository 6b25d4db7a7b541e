// startSandbox(): the JustLogin sandbox identity server on one HTTP port.
import { createServer } from 'node:http';
import express from 'express';

import { apiRoutes } from './api.mjs';
import { apiFaultRoutes, createApiFaults } from './api-faults.mjs';
import { interactionRoutes } from './interactions.mjs';
import { createProvider, ROUTES } from './provider.mjs';
import { tokenGate } from './token-gate.mjs';

/** JustLogin's identity server lives under this path: issuer `<origin>/v1/auth`. */
export const AUTH_PATH = '/v1/auth';

/**
 * Starts the sandbox and resolves once it listens.
 *
 * @param {object} [options]
 * @param {string} [options.host]            default 127.0.0.1
 * @param {number} [options.port]            default 4000; 0 picks a free port
 * @param {string} [options.clientId]        default demo-client
 * @param {string} [options.clientSecret]    default demo-secret
 * @param {string[]} [options.redirectUris]  default [http://localhost:3000/auth/justlogin/callback]
 * @param {number} [options.accessTokenTTL]  seconds, default 3600
 * @param {boolean} [options.logTokenRequests] print `token-request grant_type=… status=…` per token request
 * @param {{ status: number, count: number, retryAfter?: number }} [options.apiFault]
 *   the first `count` API calls answer `status` (test-only)
 * @param {boolean} [options.apiControl]     serve GET/POST /_sandbox/api-faults (test-only)
 * @returns {Promise<{ issuer: string, origin: string, close(): Promise<void> }>}
 *   rejects with the listen error (e.g. `code: 'EADDRINUSE'`) when the port cannot be used
 *
 * @example
 *   const sandbox = await startSandbox({ port: 0 });
 *   console.log(sandbox.issuer); // http://127.0.0.1:40123/v1/auth
 *   await sandbox.close();
 */
export async function startSandbox(options = {}) {
  const {
    host = '127.0.0.1',
    port = 4000,
    clientId = 'demo-client',
    clientSecret = 'demo-secret',
    redirectUris = ['http://localhost:3000/auth/justlogin/callback'],
    accessTokenTTL = 3600,
    logTokenRequests = false,
    apiFault,
    apiControl = false,
  } = options;

  // Listen first: with port 0 the issuer is only known once the port is.
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const hostInURL = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${hostInURL}:${server.address().port}`;
  const issuer = `${origin}${AUTH_PATH}`;

  const provider = createProvider({
    issuer,
    interactionsPath: `${AUTH_PATH}/interaction`,
    clientId,
    clientSecret,
    redirectUris,
    accessTokenTTL,
  });
  const providerHandler = provider.callback();

  const auth = express.Router();
  auth.post(ROUTES.token, tokenGate({ provider, forward: providerHandler, logTokenRequests }));
  auth.use('/interaction', interactionRoutes(provider));
  auth.use(providerHandler);

  const faults = createApiFaults(apiFault);
  const app = express();
  app.disable('x-powered-by');
  app.use(AUTH_PATH, auth);
  app.use(apiRoutes({ provider, faults }));
  if (apiControl) app.use(apiFaultRoutes(faults));
  server.on('request', app);

  return {
    issuer,
    origin,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}
