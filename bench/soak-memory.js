'use strict';
// `node --expose-gc bench/soak-memory.js <access> <refresh> <id>`: the heap the grace window
// (the refresher's memory of recent renewals) holds per remembered renewal, for token sets whose
// access, refresh and id tokens are that many characters long (the soak's, on average). Remembers
// 10,000 renewals, the most it keeps, and prints `{ bytesPerRenewal }`.
const { randomBytes } = require('node:crypto');
const { RenewalMemory } = require(`${process.env.SOAK_DIST ?? '../dist'}/renewal/memory`);

const RENEWALS = 10_000;
const [access, refresh, id] = process.argv.slice(2).map(Number);
const text = (length) =>
  randomBytes(Math.ceil((length * 3) / 4) + 1)
    .toString('base64url')
    .slice(0, length);

function heapAfterGC() {
  for (let i = 0; i < 3; i += 1) global.gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

// Made before measuring: the spent refresh tokens are the caller's, not the memory's.
const spent = Array.from({ length: RENEWALS }, () => text(refresh));
const renewed = () => ({
  accessToken: text(access),
  refreshToken: text(refresh),
  idToken: id > 0 ? text(id) : undefined,
  tokenType: 'Bearer',
  expiresIn: 3600,
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
});
const memory = new RenewalMemory(60_000);
const before = heapAfterGC();
for (let i = 0; i < RENEWALS; i += 1) memory.remember(spent[i], renewed()); // the set lives on only encrypted
const after = heapAfterGC();
if (!memory.recall(spent[RENEWALS - 1])) throw new Error('the last renewal was not remembered');
console.log(JSON.stringify({ bytesPerRenewal: Math.round((after - before) / RENEWALS) }));
