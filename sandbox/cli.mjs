#!/usr/bin/env node
// `npx justlogin-sandbox`: start the JustLogin sandbox from the command line (see --help).
// First: it notes which processes started this one before anything slow loads.
import { whenParentGoes } from './lib/parent.mjs';

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { DEMO_USERS } from './lib/accounts.mjs';
import { FAULTS_PATH, parseFault } from './lib/api-faults.mjs';
import optionsModule from './lib/options.cjs';
import { startSandbox } from './lib/server.mjs';

const { DEFAULT_TOKENS, TOKEN_SHAPES } = optionsModule;

const DEMO_CLIENT = 'demo-client:demo-secret:http://localhost:3000/auth/justlogin/callback';

const HELP = `usage: justlogin-sandbox [options]

A local JustLogin for tests and demos: sign-in and consent pages, token endpoint, discovery
and JustLogin's API, at issuer http://<host>:<port>/v1/auth. Ctrl-C stops it, and so does
the end of the process that started it (npm for npm run and npx).

  --port <n>                  port to listen on (default 4000; 0 picks a free one)
  --host <address>            address to listen on (default 127.0.0.1); one that is not
                              loopback (such as 0.0.0.0) also needs --allow-network
  --allow-network             listen on a non-loopback --host: anyone who can reach it can
                              sign in with the published demo passwords and demo-secret
  --client <id>:<secret>:<redirect-uri>
                              an app that may sign users in; repeat for more apps or more
                              redirect URIs (default ${DEMO_CLIENT})
  --client-name <id>=<name>   the app's name on the consent page
  --backchannel-logout <id>=<uri>
                              where the sandbox posts the app's back-channel logout tokens
  --post-logout-redirect-uri <id>=<uri>
                              a page the app may return to after signing out (repeatable;
                              the home page of each redirect URI's origin always may)
  --users <file.json>         users instead of the demo users: a JSON array of
                              { companyId, username, password, claims: { sub, ... } }
  --access-token-ttl <s>      access token lifetime in seconds (default 3600)
  --access-token <jwt|opaque> JWT access tokens carrying the user's claims (JustLogin's
                              IdentityServer), or opaque ones (default ${DEFAULT_TOKENS.access})
  --id-token-claims <protocol|all>
                              the id_token carries protocol claims only (IdentityServer's
                              default), or the user's claims too (default ${DEFAULT_TOKENS.idTokenClaims})
  --refresh-tokens <one-time|reuse>
                              a refresh token works once (IdentityServer 4), or stays valid
                              (Duende 7) (default ${DEFAULT_TOKENS.refreshTokens})
  --api-fault <status:count[:retry-after]>
                              the first <count> API calls answer <status> (429, 500, 502, 503, 504)
  --api-control               serve GET/POST ${FAULTS_PATH} to set API faults while running
  --log-token-requests        print one line per token request (no secrets, no tokens)
  --data-file <file>          keep what was issued (keys, grants, tokens) across restarts:
                              read when it starts, written when it stops (mode 0600)
  --help                      this text
`;

function fail(message, code = 2) {
  console.error(`justlogin-sandbox: ${message}${code === 2 ? ' (see --help)' : ''}`);
  process.exit(code);
}

function integer(value, name, min, max) {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max)
    fail(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return number;
}

/** One of `values`, or undefined (the default) when not given. */
function shape(value, name, values) {
  if (value !== undefined && !values.includes(value)) fail(`${name} must be ${values.join(' or ')}, got "${value}"`);
  return value;
}

/** `<id>:<secret>:<redirect-uri>`: the redirect URI is everything after the second colon. */
function parseClient(text) {
  const match = /^([^:]+):([^:]+):(.+)$/.exec(text);
  if (!match) fail(`--client must be <id>:<secret>:<redirect-uri>, got "${text}"`);
  const [, clientID, clientSecret, redirectURI] = match;
  return { clientID, clientSecret, redirectURI };
}

function clientsFrom(values, names, backchannelLogout, postLogout) {
  const clients = new Map();
  for (const { clientID, clientSecret, redirectURI } of values.map(parseClient)) {
    const client = clients.get(clientID) ?? { clientID, clientSecret, redirectURIs: [] };
    if (client.clientSecret !== clientSecret) fail(`--client ${clientID} is given with two secrets`);
    client.redirectURIs.push(redirectURI);
    clients.set(clientID, client);
  }
  for (const text of names) {
    const [, clientID, clientName] = /^([^=]+)=(.+)$/.exec(text) ?? [];
    if (!clients.has(clientID)) fail(`--client-name must be <id>=<name> for a --client id, got "${text}"`);
    clients.get(clientID).clientName = clientName;
  }
  for (const text of backchannelLogout) {
    const [, clientID, uri] = /^([^=]+)=(https?:\/\/.+)$/.exec(text) ?? [];
    if (!clients.has(clientID))
      fail(`--backchannel-logout must be <id>=<http(s) URI> for a --client id, got "${text}"`);
    clients.get(clientID).backchannelLogoutURI = uri;
  }
  for (const text of postLogout) {
    const [, clientID, uri] = /^([^=]+)=(https?:\/\/.+)$/.exec(text) ?? [];
    if (!clients.has(clientID)) {
      fail(`--post-logout-redirect-uri must be <id>=<http(s) URI> for a --client id, got "${text}"`);
    }
    const client = clients.get(clientID);
    client.postLogoutRedirectURIs = [...(client.postLogoutRedirectURIs ?? []), uri];
  }
  return [...clients.values()];
}

function usersFrom(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return fail(`cannot read --users ${file}: ${err.code ?? 'not JSON'}`);
  }
}

let args;
try {
  args = parseArgs({
    options: {
      port: { type: 'string', default: '4000' },
      host: { type: 'string', default: '127.0.0.1' },
      'allow-network': { type: 'boolean', default: false },
      client: { type: 'string', multiple: true, default: [DEMO_CLIENT] },
      'client-name': { type: 'string', multiple: true, default: [] },
      'backchannel-logout': { type: 'string', multiple: true, default: [] },
      'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
      users: { type: 'string' },
      'access-token-ttl': { type: 'string', default: '3600' },
      'access-token': { type: 'string' },
      'id-token-claims': { type: 'string' },
      'refresh-tokens': { type: 'string' },
      'api-fault': { type: 'string' },
      'api-control': { type: 'boolean', default: false },
      'log-token-requests': { type: 'boolean', default: false },
      'data-file': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (err) {
  fail(err.message.split('\n')[0]);
}
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const options = {
  port: integer(args.port, '--port', 0, 65535),
  host: args.host,
  allowNetwork: args['allow-network'],
  clients: clientsFrom(args.client, args['client-name'], args['backchannel-logout'], args['post-logout-redirect-uri']),
  users: args.users === undefined ? undefined : usersFrom(args.users),
  accessTokenTTL: integer(args['access-token-ttl'], '--access-token-ttl', 1, 31_536_000),
  tokens: {
    access: shape(args['access-token'], '--access-token', TOKEN_SHAPES.access),
    idTokenClaims: shape(args['id-token-claims'], '--id-token-claims', TOKEN_SHAPES.idTokenClaims),
    refreshTokens: shape(args['refresh-tokens'], '--refresh-tokens', TOKEN_SHAPES.refreshTokens),
  },
  faults: { control: args['api-control'] },
  dataFile: args['data-file'],
  onTokenRequest: args['log-token-requests']
    ? ({ grantType, status, refreshTokenId }) =>
        console.log(
          `token-request grant_type=${grantType} status=${status}${refreshTokenId ? ` rt=${refreshTokenId}` : ''}`,
        )
    : undefined,
};
if (args['api-fault'] !== undefined) {
  try {
    options.faults.api = parseFault(args['api-fault'], '--api-fault');
  } catch (err) {
    fail(err.message);
  }
}

let sandbox;
try {
  sandbox = await startSandbox(options);
} catch (err) {
  if (err instanceof TypeError) fail(err.message.replace(/^users\b/, '--users').replace(/^dataFile\b/, '--data-file'));
  if (err.syscall !== 'listen') throw err;
  fail(
    err.code === 'EADDRINUSE'
      ? `port ${options.port} on ${options.host} is already in use (use --port with another port, or --port 0 for any free port)`
      : `cannot listen on ${options.host}:${options.port} (${err.code})`,
    1,
  );
}

console.log(`JustLogin sandbox listening: issuer=${sandbox.issuer}`);
for (const client of sandbox.clients) {
  const name = client.clientName ? ` "${client.clientName}"` : '';
  const logout = client.backchannelLogoutURI ? `, back-channel logout: ${client.backchannelLogoutURI}` : '';
  console.log(
    `client ${client.clientID}${name} (secret ${client.clientSecret}) redirect URIs: ${client.redirectURIs.join(' ')}${logout}`,
  );
}
console.log(`${options.users ? 'Users' : 'Demo users'} (Company Id / Username / Password):`);
for (const user of sandbox.users) {
  const about = [user.claims.name, ...[user.claims.role].flat()].filter(Boolean).join(', ');
  console.log(`  ${user.companyId} / ${user.username} / ${user.password}${about ? `  (${about})` : ''}`);
}
console.log(`API: ${sandbox.origin}/membership/v3/users and the other documented endpoints`);
const { access, idTokenClaims, refreshTokens } = sandbox.tokens;
console.log(
  `Tokens: ${access === 'jwt' ? 'JWT' : 'opaque'} access tokens, ${idTokenClaims === 'all' ? 'all claims in' : 'protocol claims only in'} the id_token, refresh tokens ${refreshTokens === 'reuse' ? 'reused' : 'one-time'}`,
);
if (options.faults.control) console.log(`API fault switch (test-only): ${sandbox.origin}${FAULTS_PATH}`);

async function stop() {
  await sandbox.stop();
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, stop);
whenParentGoes(stop);
