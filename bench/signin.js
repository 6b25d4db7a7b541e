'use strict';
// Section 1: what a sign-in costs the app process, JustLoginStrategy (its
// defaults: state, PKCE, nonce, id_token checks) against a bare passport-oauth2
// Strategy with state and PKCE.
const { msSince } = require('./stats');
const { compare } = require('./report');
const { inRounds } = require('./rounds');

async function signIn({ apps, browsers, plan }) {
  const names = ['justlogin', 'oauth2'];
  const measureBlock = async (name, count) => {
    const before = await apps[name].ask('cpu');
    const start = process.hrtime.bigint();
    await browsers[name].signIns(count);
    const elapsed = msSince(start) * 1000;
    const after = await apps[name].ask('cpu');
    return { cpu: after.user + after.system - before.user - before.system, wall: elapsed };
  };
  // Warm up in alternating blocks too: an app that sat idle while the other
  // warmed up measured ~10% slower for thousands of sign-ins afterwards.
  await inRounds(names, { rounds: 1, perRound: plan.warmUp, block: plan.block }, measureBlock);
  const { cpu, wall } = await inRounds(names, { ...plan, perRound: plan.signIns }, measureBlock);
  const label = `${plan.rounds} × ${plan.signIns} sign-ins; vs passport-oauth2`;
  return [
    compare(`Sign-in: app CPU per sign-in, µs (${label})`, cpu.justlogin, cpu.oauth2, 1.1),
    compare(`Sign-in: wall time per sign-in, µs (${label})`, wall.justlogin, wall.oauth2, 1.1),
  ];
}

module.exports = signIn;
