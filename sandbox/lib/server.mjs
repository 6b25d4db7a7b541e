// startSandbox() in this process: the JustLogin sandbox identity server and API on one HTTP port.
import { createServer } from 'node:http';
import express from 'express';

import { randomBytes } from 'node:crypto';
import { createAccessTokens, jwtAccessTokenReader } from './access-tokens.mjs';
import { createAccounts } from './accounts.mjs';
import { apiRoutes } from './api.mjs';
import { apiFaultRoutes, createApiFaults } from './api-faults.mjs';
import { readDataFile, writeDataFile } from './data-file.mjs';
import { interactionRoutes } from './interactions.mjs';
import { createMemoryAdapter } from './memory-adapter.mjs';
import optionsModule from './options.cjs';
import { createProvider, generateSigningKey, loadProvider, ROUTES } from './provider.mjs';
import { createSignOutEverywhere, endSessionGate, signOutRoutes } from './sign-out.mjs';
import signOutCallModule from './sign-out-call.cjs';
import { tokenGate } from './token-gate.mjs';
import tokenRequestsModule from './token-requests.cjs';

const { checkOptions } = optionsModule;
const { createTokenRequestLog } = tokenRequestsModule;

/** How long a stop waits for the requests under way when it keeps a data file (ms). */
const DRAIN_MS = 2_000;

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
  const { host, port, clients, accessTokenTTL, tokens, faults, dataFile } = checked;
  const saved = dataFile === undefined ? undefined : readDataFile(dataFile);
  const log = createTokenRequestLog(options.onTokenRequest);
  const accounts = createAccounts(checked.users);

  // Listen first (with port 0 the issuer is only known once the port is), while oidc-provider
  // loads and the signing key is made.
  const [server, oidc, signingKey] = await Promise.all([
    listen(port, host),
    loadProvider(),
    saved?.signingKey ?? generateSigningKey(),
  ]);
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

  const cookieKeys = saved?.cookieKeys ?? [randomBytes(32).toString('base64url')];
  const storage = createMemoryAdapter(saved?.storage);
  const provider = createProvider({
    oidc,
    signingKey,
    cookieKeys,
    adapter: storage,
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
    saved: saved?.accessTokens,
  });

  const auth = express.Router();
  const clientIDs = clients.map((client) => client.clientID);
  auth.post(
    ROUTES.token,
    tokenGate({ provider, accessTokens, forward: providerHandler, clientIDs, onTokenRequest: log.add }),
  );
  auth.use('/interaction', interactionRoutes(provider, accounts));
  auth.get(ROUTES.end_session, endSessionGate);
  auth.use(providerHandler);

  const apiFaults = createApiFaults(faults.api);
  const app = express();
  app.disable('x-powered-by');
  app.use(AUTH_PATH, auth);
  app.use(apiRoutes({ accessTokens, accounts, faults: apiFaults }));
  if (faults.control) app.use(apiFaultRoutes(apiFaults));
  app.use(signOutRoutes(createSignOutEverywhere(provider, clients), accounts));
  server.on('request', app);
  // With a data file, a stop lets the requests under way finish first, so that no answer is lost
  // whose effect (a refresh token spent) the file keeps.
  let underway = 0;
  server.on('request', (_req, res) => {
    underway += 1;
    res.once('close', () => (underway -= 1));
  });

  let stopped;
  return {
    origin,
    issuer,
    clients,
    users: accounts.users,
    tokens,
    tokenRequests: log.list,
    waitForTokenRequests: log.wait,
    signOutEverywhere: (user) => signOutCallModule.signOutEverywhere(origin, user),
    stop() {
      stopped ??= (async () => {
        const closed = new Promise((resolve) => server.close(resolve));
        for (let waited = 0; dataFile !== undefined && underway > 0 && waited < DRAIN_MS; waited += 10) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        server.closeAllConnections();
        await closed;
        if (dataFile !== undefined) {
          writeDataFile(dataFile, {
            signingKey,
            cookieKeys,
            storage: storage.saved(),
            accessTokens: accessTokens.saved(),
          });
        }
      })();
      return stopped;
    },
  };
}
