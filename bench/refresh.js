'use strict';
// Section 2: JustLoginRefresher.refresh against a plain fetch of the same
// request (form body, Bearer header), one after another, each with its own
// refresh token so that nothing is merged. Measured in this process.
const { JustLoginRefresher } = require('passport-justlogin');
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

/** The request JustLogin documents, sent with fetch. */
async function plainRefresh(tokenURL, refreshToken) {
  const response = await fetch(tokenURL, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
      Authorization: `Bearer ${ACCESS_TOKEN}`,
    },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientID,
      client_secret: clientSecret,
    }).toString(),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`plain refresh answered HTTP ${response.status}`);
  return response.json();
}

async function refresh({ tokenURL, plan }) {
  const refresher = new JustLoginRefresher({ clientID, clientSecret, tokenURL });
  const contenders = {
    justlogin: () => refresher.refresh({ refreshToken: nextRefreshToken(), accessToken: ACCESS_TOKEN }),
    fetch: () => plainRefresh(tokenURL, nextRefreshToken()),
  };
  const names = ['justlogin', 'fetch'];
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
  const label = `${plan.rounds} × ${plan.refreshes} refreshes; vs plain fetch`;
  return [
    compare(`Refresh: CPU per refresh, µs (${label})`, cpu.justlogin, cpu.fetch, 1.1),
    compare(`Refresh: wall time per refresh, µs (${label})`, wall.justlogin, wall.fetch, 1.1),
  ];
}

module.exports = refresh;
module.exports.plainRefresh = plainRefresh;
module.exports.nextRefreshToken = nextRefreshToken;
