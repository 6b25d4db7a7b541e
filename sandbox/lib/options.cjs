'use strict';
// Checks startSandbox()'s options and fills in the defaults; shared by the ES module entry (in
// process), the CommonJS entry (before it starts the child process) and the command.

const FAULT_STATUSES = [429, 500, 502, 503, 504];
const MAX_FAULT_COUNT = 1000;
const MAX_RETRY_AFTER = 3600;
const DEFAULT_RETRY_AFTER = 1; // seconds, for 429 when none is given
const MAX_TTL = 365 * 24 * 60 * 60;

/** The token shapes a sandbox can issue (see SandboxTokenShapes in index.d.cts). */
const TOKEN_SHAPES = {
  access: ['jwt', 'opaque'],
  idTokenClaims: ['protocol', 'all'],
  refreshTokens: ['one-time', 'reuse'],
};
/** The shapes when `tokens` names none. IdentityServer's defaults: { access: 'jwt', idTokenClaims: 'protocol', refreshTokens: 'one-time' }. */
const DEFAULT_TOKENS = { access: 'jwt', idTokenClaims: 'protocol', refreshTokens: 'one-time' };

const { isIPv4, isIPv6 } = require('node:net');

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value) => typeof value === 'string' && value.length > 0;

function checkURL(value, name) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${name} must be an http(s) URL`);
  return value;
}

/** A list of absolute http(s) URLs; a TypeError naming `name` otherwise. */
function checkURLs(values, name) {
  if (!Array.isArray(values)) throw new TypeError(`${name} must be an array of URLs`);
  return values.map((uri, i) => checkURL(uri, `${name}[${i}]`));
}

function checkClient(client, index) {
  const name = `clients[${index}]`;
  if (!isObject(client)) throw new TypeError(`${name} must be an object`);
  for (const field of ['clientID', 'clientSecret']) {
    if (!isText(client[field])) throw new TypeError(`${name}.${field} must be a non-empty string`);
  }
  if (!Array.isArray(client.redirectURIs) || client.redirectURIs.length === 0) {
    throw new TypeError(`${name}.redirectURIs must be a non-empty array of URLs`);
  }
  if (client.clientName !== undefined && !isText(client.clientName)) {
    throw new TypeError(`${name}.clientName must be a non-empty string`);
  }
  return {
    clientID: client.clientID,
    clientSecret: client.clientSecret,
    redirectURIs: client.redirectURIs.map((uri, i) => checkURL(uri, `${name}.redirectURIs[${i}]`)),
    ...(client.clientName === undefined ? {} : { clientName: client.clientName }),
    ...(client.postLogoutRedirectURIs === undefined
      ? {}
      : { postLogoutRedirectURIs: checkURLs(client.postLogoutRedirectURIs, `${name}.postLogoutRedirectURIs`) }),
    ...(client.backchannelLogoutURI === undefined
      ? {}
      : { backchannelLogoutURI: checkURL(client.backchannelLogoutURI, `${name}.backchannelLogoutURI`) }),
  };
}

function checkUser(user, index) {
  const name = `users[${index}]`;
  if (!isObject(user)) throw new TypeError(`${name} must be an object`);
  for (const field of ['companyId', 'username', 'password']) {
    if (!isText(user[field])) throw new TypeError(`${name}.${field} must be a non-empty string`);
  }
  if (!isObject(user.claims) || !isText(user.claims.sub)) {
    throw new TypeError(`${name}.claims must be an object with a non-empty string sub`);
  }
  return { companyId: user.companyId, username: user.username, password: user.password, claims: user.claims };
}

/** Whether `host` is an address of this machine's loopback interface (127.0.0.0/8, ::1, localhost). */
function isLoopback(host) {
  if (host.toLowerCase() === 'localhost') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (!isIPv6(host)) return false;
  const normalised = new URL(`http://[${host}]`).hostname; // e.g. [0:0::1] -> [::1], [::ffff:127.0.0.1] -> [::ffff:7f00:1]
  return normalised === '[::1]' || normalised.startsWith('[::ffff:7f');
}

/**
 * Checks an API fault `{ status, count, retryAfter? }` and returns it normalised; throws a TypeError
 * naming `name`. `count: 0` switches faults off.
 */
function checkFault(fault, name = 'fault') {
  if (!isObject(fault)) throw new TypeError(`${name} must be an object { status, count, retryAfter? }`);
  const { status, count, retryAfter } = fault;
  if (!FAULT_STATUSES.includes(status))
    throw new TypeError(`${name}.status must be one of ${FAULT_STATUSES.join(', ')}`);
  if (!Number.isInteger(count) || count < 0 || count > MAX_FAULT_COUNT) {
    throw new TypeError(`${name}.count must be an integer from 0 to ${MAX_FAULT_COUNT}`);
  }
  if (retryAfter !== undefined && (!Number.isInteger(retryAfter) || retryAfter < 0 || retryAfter > MAX_RETRY_AFTER)) {
    throw new TypeError(`${name}.retryAfter must be an integer from 0 to ${MAX_RETRY_AFTER} (seconds)`);
  }
  return { status, count, retryAfter: retryAfter ?? (status === 429 ? DEFAULT_RETRY_AFTER : undefined) };
}

/** `tokens`, checked, each shape left out (or undefined) taking its default. */
function checkTokens(tokens = {}) {
  if (!isObject(tokens)) throw new TypeError('tokens must be an object { access?, idTokenClaims?, refreshTokens? }');
  const names = Object.keys(TOKEN_SHAPES);
  const unknown = Object.keys(tokens).find((name) => !names.includes(name));
  if (unknown !== undefined) {
    throw new TypeError(`tokens.${unknown} is no token shape: tokens takes access, idTokenClaims and refreshTokens`);
  }
  const checked = { ...DEFAULT_TOKENS };
  for (const [name, values] of Object.entries(TOKEN_SHAPES)) {
    if (tokens[name] === undefined) continue;
    if (!values.includes(tokens[name])) throw new TypeError(`tokens.${name} must be '${values[0]}' or '${values[1]}'`);
    checked[name] = tokens[name];
  }
  return checked;
}

/** startSandbox()'s options, checked, with defaults filled in (functions such as onTokenRequest dropped). */
function checkOptions(options) {
  if (!isObject(options)) throw new TypeError('startSandbox() needs an options object with clients');
  const { host = '127.0.0.1', port = 0, clients, users, accessTokenTTL = 3600 } = options;
  const faults = options.faults ?? {};
  if (!isText(host)) throw new TypeError('host must be a non-empty string');
  if (options.allowNetwork !== undefined && typeof options.allowNetwork !== 'boolean') {
    throw new TypeError('allowNetwork must be a boolean');
  }
  const allowNetwork = options.allowNetwork ?? false;
  if (!allowNetwork && !isLoopback(host)) {
    throw new TypeError(
      `host ${host} is not a loopback address: anyone on the network could sign in with the sandbox's passwords and client secrets (set allowNetwork: true, or --allow-network, to listen there anyway)`,
    );
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError('port must be an integer from 0 to 65535');
  if (!Array.isArray(clients) || clients.length === 0) throw new TypeError('clients must be a non-empty array');
  if (users !== undefined && (!Array.isArray(users) || users.length === 0)) {
    throw new TypeError('users must be a non-empty array');
  }
  if (!Number.isInteger(accessTokenTTL) || accessTokenTTL < 1 || accessTokenTTL > MAX_TTL) {
    throw new TypeError(`accessTokenTTL must be an integer from 1 to ${MAX_TTL} (seconds)`);
  }
  if (!isObject(faults)) throw new TypeError('faults must be an object { api?, control? }');
  if (faults.control !== undefined && typeof faults.control !== 'boolean') {
    throw new TypeError('faults.control must be a boolean');
  }
  if (options.onTokenRequest !== undefined && typeof options.onTokenRequest !== 'function') {
    throw new TypeError('onTokenRequest must be a function');
  }
  if (options.dataFile !== undefined && !isText(options.dataFile)) {
    throw new TypeError('dataFile must be a non-empty string (a file path)');
  }
  const checkedClients = clients.map(checkClient);
  const ids = checkedClients.map((client) => client.clientID);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new TypeError(`clients: clientID "${twice}" is given twice`);
  return {
    host,
    port,
    allowNetwork,
    /** Listening where other machines can reach it. */
    onNetwork: !isLoopback(host),
    clients: checkedClients,
    users: users?.map(checkUser),
    accessTokenTTL,
    tokens: checkTokens(options.tokens),
    faults: {
      api: faults.api === undefined ? undefined : checkFault(faults.api, 'faults.api'),
      control: faults.control ?? false,
    },
    dataFile: options.dataFile,
  };
}

module.exports = { DEFAULT_TOKENS, FAULT_STATUSES, TOKEN_SHAPES, checkFault, checkOptions };
