'use strict';
// Section 1: what a sign-in costs the app process. JustLoginStrategy with its
// defaults (state, PKCE, nonce, id_token claim checks), and with id_token
// signatures verified too, against passport-oauth2's Strategy with state and
// PKCE whose verify decodes the id_token by hand (no check at all). The two CPU
// ratios are alarms (bench/alarm.js). A sign-in with a subscriber on each
// diagnostics channel is measured against one with none.
const { msSince } = require('./stats');
const { compare } = require('./report');
const { inRounds } = require('./rounds');

const NAMES = ['justlogin', 'justlogin-observed', 'justlogin-signed', 'oauth2'];

async function signIn({ apps, browsers, plan }) {
  const measureBlock = async (name, count) => {
    const before = await apps[name].ask('cpu');
    const start = process.hrtime.bigint();
    await browsers[name].signIns(count);
    const elapsed = msSince(start) * 1000;
    const after = await apps[name].ask('cpu');
    return { cpu: after.user + after.system - before.user - before.system, wall: elapsed };
  };
  // Warm up in rotating blocks too: an app that sat idle while another
  // warmed up measured ~10% slower for thousands of sign-ins afterwards.
  const { rounds, perRound, block, warmUp } = plan.signIn;
  await inRounds(NAMES, { rounds: 1, perRound: warmUp, block }, measureBlock);
  const { cpu, wall } = await inRounds(NAMES, { rounds, perRound, block }, measureBlock);
  const label = `${rounds} × ${perRound} sign-ins; vs passport-oauth2 + hand-decoded id_token`;
  return [
    { ...compare(`Sign-in: app CPU per sign-in, µs (${label})`, cpu.justlogin, cpu.oauth2), alarm: 'sign-in-cpu' },
    {
      ...compare(
        `Sign-in, signatures verified: app CPU per sign-in, µs (${label})`,
        cpu['justlogin-signed'],
        cpu.oauth2,
      ),
      alarm: 'sign-in-cpu-signed',
    },
    // The first row has no subscriber: its alarm holds it to the baseline, measured before the channels existed.
    compare(
      `Sign-in, one subscriber on every diagnostics channel: app CPU per sign-in, µs (${rounds} × ${perRound} sign-ins; vs no subscriber)`,
      cpu['justlogin-observed'],
      cpu.justlogin,
    ),
    compare(`Sign-in: wall time per sign-in, µs (${label})`, wall.justlogin, wall.oauth2),
    compare(
      `Sign-in, signatures verified: wall time per sign-in, µs (${label})`,
      wall['justlogin-signed'],
      wall.oauth2,
    ),
  ];
}

module.exports = signIn;
module.exports.NAMES = NAMES;
