'use strict';
// One signed-in user's traffic during the soak: bursts of requests to GET /api/me,
// alternately all at once and staggered, spread over the app instances, until a deadline.
const { setTimeout: sleep } = require('node:timers/promises');

const BURST_SIZE = 10;
const STAGGER_MS = 60;
const PAUSE_MS = { min: 100, max: 600 };
const REQUEST_TIMEOUT_MS = 15_000;
/** Bursts per second of soak, at most: bounds the loop even if every request failed at once. */
const MAX_BURSTS_PER_SECOND = 5;

/**
 * Fires bursts for the user with session `cookie` until `until` (epoch ms),
 * request `i` of burst `b` going to `urls[(index + b + i) % urls.length]`.
 * Resolves with `{ requests, statuses, refreshTokens }`: how many requests,
 * how many got each status (`error` when there was no answer), and the
 * refresh-token ids that 200 answers showed, in the order first seen.
 */
async function soakUser({ cookie, urls, until, index, seconds }) {
  const outcome = { requests: 0, statuses: {}, refreshTokens: [] };
  const seen = new Set();
  const record = (status, body) => {
    outcome.statuses[status] = (outcome.statuses[status] ?? 0) + 1;
    if (status === 200 && !seen.has(body.rt)) {
      seen.add(body.rt);
      outcome.refreshTokens.push(body.rt);
    }
  };
  const request = async (url) => {
    outcome.requests += 1;
    try {
      const res = await fetch(`${url}/api/me`, {
        headers: { cookie },
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      record(res.status, res.status === 200 ? await res.json() : await res.arrayBuffer());
    } catch {
      record('error');
    }
  };

  const maxBursts = Math.ceil(seconds * MAX_BURSTS_PER_SECOND);
  for (let burst = 0; burst < maxBursts && Date.now() < until; burst += 1) {
    const staggered = burst % 2 === 1;
    const requests = [];
    for (let i = 0; i < BURST_SIZE; i += 1) {
      if (staggered && i > 0) await sleep(STAGGER_MS);
      requests.push(request(urls[(index + burst + i) % urls.length]));
    }
    await Promise.all(requests);
    await sleep(PAUSE_MS.min + Math.random() * (PAUSE_MS.max - PAUSE_MS.min));
  }
  return outcome;
}

module.exports = { soakUser };
