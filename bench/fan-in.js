'use strict';
// Section 3: 100 concurrent ensureFresh calls for one expired token set: how
// many requests reach the token endpoint (target: 1) and how long until all
// 100 resolve, against one raw node:http refresh.
const { JustLoginRefresher } = require('passport-justlogin');
const { clientID, clientSecret } = require('./client');
const { rawRefresh, nextRefreshToken } = require('./refresh');
const { msSince } = require('./stats');
const { compare, row } = require('./report');

const CALLERS = 100;

async function fanIn({ tokenURL, tokenServer, plan }) {
  const refresher = new JustLoginRefresher({ clientID, clientSecret, tokenURL });
  const requests = [];
  const ours = [];
  const theirs = [];
  const together = async () => {
    const tokens = {
      accessToken: 'bench-access-token',
      refreshToken: nextRefreshToken(),
      tokenType: 'Bearer',
      expiresAt: Math.floor(Date.now() / 1000) - 10,
    };
    const before = (await tokenServer.ask('count')).count;
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: CALLERS }, () => refresher.ensureFresh(tokens)));
    ours.push(msSince(start) * 1000);
    requests.push((await tokenServer.ask('count')).count - before);
  };
  const alone = async () => {
    const start = process.hrtime.bigint();
    await rawRefresh(tokenURL, nextRefreshToken());
    theirs.push(msSince(start) * 1000);
  };
  for (let trial = 0; trial < plan.fanInTrials; trial++) {
    if (trial % 2) await alone().then(together);
    else await together().then(alone);
  }
  const fewest = Math.min(...requests);
  const most = Math.max(...requests);
  return [
    row(
      `Fan-in: token requests for ${CALLERS} concurrent ensureFresh (${plan.fanInTrials} trials; vs one raw node:http refresh)`,
      fewest === most ? String(most) : `${fewest}–${most}`,
      '1',
      '—',
      'exactly 1',
      requests.every((count) => count === 1),
    ),
    compare(`Fan-in: time until all ${CALLERS} resolve, µs (vs one raw node:http refresh)`, ours, theirs),
  ];
}

module.exports = fanIn;
