'use strict';
// Section 4: heap in use (after forced GC) in the app process before and after
// many sign-ins. The browser keeps its cookie and passport regenerates the
// session at each sign-in, so the session store holds one session throughout.
const { row } = require('./report');

const LIMIT_MB = 5;

async function memory({ apps, browsers, plan }) {
  const growth = {};
  const cells = {};
  for (const name of ['justlogin', 'oauth2']) {
    const before = (await apps[name].ask('heap')).heapUsed / 2 ** 20;
    await browsers[name].signIns(plan.memorySignIns);
    const after = (await apps[name].ask('heap')).heapUsed / 2 ** 20;
    growth[name] = after - before;
    cells[name] = `${growth[name].toFixed(2)} (${before.toFixed(1)} → ${after.toFixed(1)})`;
  }
  return [
    row(
      `Memory: heap growth after ${plan.memorySignIns} sign-ins, MB (before → after; vs passport-oauth2)`,
      cells.justlogin,
      cells.oauth2,
      '—',
      `< ${LIMIT_MB} MB`,
      growth.justlogin < LIMIT_MB,
    ),
  ];
}

module.exports = memory;
