'use strict';
// Section 2: JustLoginRefresher.refresh against the same request (form body,
// Bearer header) sent by hand with a raw node:http POST (the target) and with
// fetch, one after another, each with its own refresh token so that nothing is
// merged. Measured in this process. The refresher does all it does in an app:
// the body checks, the id_token claim checks, the per-token single flight and
// the encrypted grace-window memory of the rotated refresh token; two more rows
// take the memory away (graceMs: 0) and then all but the token request itself.
const http = require('node:http');
const { JustLoginRefresher } = require('passport-justlogin');
const { clientOperations } = require('../dist/client/client');
const { clientID, clientSecret } = require('./client');
const { msSince } = require('./stats');
const { compare } = require('./report');
const { inRounds } = require('./rounds');

const ACCESS_TOKEN = 'bench-access-token';
const TIMEOUT_MS = 10_000;
let serial = 0;

/** A refresh token not used before. */
function nextRefreshToken() {
  return `bench-refresh-${String(++serial).padStart(8, '0')}`;
}

function formBody(refreshToken) {
  return new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: clientID,
    client_secret: clientSecret,
  }).toString();
}

const HEADERS = {
  'Content-Type': 'application/x-www-form-urlencoded',
  Accept: 'application/json',
  Authorization: `Bearer ${ACCESS_TOKEN}`,
};

/** The request JustLogin documents, sent with node:http (its default keep-alive agent) and parsed. */
function rawRefresh(tokenURL, refreshToken) {
  const body = formBody(refreshToken);
  return new Promise((resolve, reject) => {
    const request = http.request(
      tokenURL,
      { method: 'POST', headers: { ...HEADERS, 'Content-Length': Buffer.byteLength(body) } },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) reject(new Error(`raw refresh answered HTTP ${response.statusCode}`));
          else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        });
        response.on('error', reject);
      },
    );
    request.setTimeout(TIMEOUT_MS, () => request.destroy(new Error('raw refresh timed out')));
    request.on('error', reject);
    request.end(body);
  });
}

/** The same request sent with fetch. */
async function fetchRefresh(tokenURL, refreshToken) {
  const response = await fetch(tokenURL, {
    method: 'POST',
    headers: HEADERS,
    body: formBody(refreshToken),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`fetch refresh answered HTTP ${response.status}`);
  return response.json();
}

async function refresh({ tokenURL, plan }) {
  const refresher = new JustLoginRefresher({ clientID, clientSecret, tokenURL });
  const forgetful = new JustLoginRefresher({ client: refresher.client, graceMs: 0 });
  // The client's own token request (internal): the default node:http transport and the answer's checks.
  const operations = clientOperations(refresher.client);
  const contenders = {
    justlogin: () => refresher.refresh({ refreshToken: nextRefreshToken(), accessToken: ACCESS_TOKEN }),
    'justlogin-graceMs-0': () => forgetful.refresh({ refreshToken: nextRefreshToken(), accessToken: ACCESS_TOKEN }),
    'token-request': () =>
      operations.tokenRequest({ grant_type: 'refresh_token', refresh_token: nextRefreshToken() }, ACCESS_TOKEN),
    http: () => rawRefresh(tokenURL, nextRefreshToken()),
    fetch: () => fetchRefresh(tokenURL, nextRefreshToken()),
  };
  const names = Object.keys(contenders);
  const measureBlock = async (name, count) => {
    const before = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) await contenders[name]();
    const elapsed = msSince(start) * 1000;
    const used = process.cpuUsage(before);
    return { cpu: used.user + used.system, wall: elapsed };
  };
  await inRounds(names, { rounds: 1, perRound: plan.warmUp, block: plan.block }, measureBlock);
  const { cpu, wall } = await inRounds(names, { ...plan, perRound: plan.refreshes }, measureBlock);
  const label = `${plan.rounds} × ${plan.refreshes} refreshes`;
  return [
    compare(`Refresh: CPU per refresh, µs (${label}; vs a raw node:http POST)`, cpu.justlogin, cpu.http),
    compare(
      `Refresh with graceMs: 0 (no grace-window memory): CPU per refresh, µs (${label}; vs a raw node:http POST)`,
      cpu['justlogin-graceMs-0'],
      cpu.http,
    ),
    compare(
      `Refresh, the token request alone (transport and answer checks): CPU, µs (${label}; vs a raw node:http POST)`,
      cpu['token-request'],
      cpu.http,
    ),
    compare(`Refresh: CPU per refresh, µs (${label}; vs a plain fetch)`, cpu.justlogin, cpu.fetch),
    compare(`Refresh: wall time per refresh, µs (${label}; vs a raw node:http POST)`, wall.justlogin, wall.http),
  ];
}

module.exports = refresh;
module.exports.rawRefresh = rawRefresh;
module.exports.nextRefreshToken = nextRefreshToken;
