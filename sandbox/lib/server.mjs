// startSandbox() in this process: the JustLogin sandbox identity server and API on one HTTP port.
import { createServer } from 'node:http';
import express from 'express';

import { createAccessTokens, jwtAccessTokenReader } from './access-tokens.mjs';
import { createAccounts } from './accounts.mjs';
import { apiRoutes } from './api.mjs';
import { apiFaultRoutes, createApiFaults } from './api-faults.mjs';
import { interactionRoutes } from './interactions.mjs';
import optionsModule from './options.cjs';
import { createProvider, generateSigningKey, loadProvider, ROUTES } from './provider.mjs';
import { tokenGate } from './token-gate.mjs';
import tokenRequestsModule from './token-requests.cjs';

const { checkOptions } = optionsModule;
const { createTokenRequestLog } = tokenRequestsModule;

/** JustLogin's identity server lives under this path: issuer `<origin>/v1/auth`. */
export const AUTH_PATH = '/v1/auth';

/** Listens on `port` (0: a free one); rejects with the listen error, e.g. `code: 'EADDRINUSE'`. */
async function listen(port, host) {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** See index.d.mts for the options and the handle. */
export async function startSandbox(options) {
  const checked = checkOptions(options);
  const { host, port, clients, accessTokenTTL, tokens, faults } = checked;
  const log = createTokenRequestLog(options.onTokenRequest);
  const accounts = createAccounts(checked.users);

  // Listen first (with port 0 the issuer is only known once the port is), while oidc-provider
  // loads and the signing key is made.
  const [server, oidc, signingKey] = await Promise.all([listen(port, host), loadProvider(), generateSigningKey()]);
  if (checked.onNetwork) {
    console.warn(
      `justlogin-sandbox: WARNING: listening on ${host}, reachable from the network: anyone who can reach this port can sign in with the sandbox's passwords (the demo users' are published) and use its client secrets (demo-secret by default). Use it only on a network you trust.`,
    );
  }
  const hostInURL = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${hostInURL}:${server.address().port}`;
  const issuer = `${origin}${AUTH_PATH}`;
  // The audience of JWT access tokens, as IdentityServer's EmitStaticAudienceClaim writes it.
  const apiAudience = `${issuer}/resources`;

  const provider = createProvider({
    oidc,
    signingKey,
    issuer,
    apiAudience,
    interactionsPath: `${AUTH_PATH}/interaction`,
    clients,
    accounts,
    accessTokenTTL,
    tokens,
  });
  const providerHandler = provider.callback();
  const accessTokens = createAccessTokens({
    provider,
    readJwt: jwtAccessTokenReader({ signingKey, issuer, audience: apiAudience }),
  });

  const auth = express.Router();
  const clientIDs = clients.map((client) => client.clientID);
  auth.post(
    ROUTES.token,
    tokenGate({ provider, accessTokens, forward: providerHandler, clientIDs, onTokenRequest: log.add }),
  );
  auth.use('/interaction', interactionRoutes(provider, accounts));
  auth.use(providerHandler);

  const apiFaults = createApiFaults(faults.api);
  const app = express();
  app.disable('x-powered-by');
  app.use(AUTH_PATH, auth);
  app.use(apiRoutes({ accessTokens, accounts, faults: apiFaults }));
  if (faults.control) app.use(apiFaultRoutes(apiFaults));
  server.on('request', app);

  let stopped;
  return {
    origin,
    issuer,
    clients,
    users: accounts.users,
    tokens,
    tokenRequests: log.list,
    waitForTokenRequests: log.wait,
    stop() {
      stopped ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
