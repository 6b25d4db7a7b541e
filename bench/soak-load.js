'use strict';
// The soak's traffic: each signed-in user fires a burst of requests when its access token becomes
// due (round robin over the instances from a varying start, each request delayed by a little
// jitter), and one request at a random moment in between, while its tokens are fresh. One request
// of each burst calls JustLogin's API through the app (/api/profile). Every loop is bounded.
const { setTimeout: sleep } = require('node:timers/promises');

const BURST = 4;
const JITTER_MS = 50;
/** When no response of a burst brought renewed tokens (JustLogin or Redis down), the next burst after this. */
const RETRY_MS = 1_000;
/**
 * Longer than the worst a request may meet: its session held up by a Redis outage, a wait for another
 * instance's renewal (the coordinator's lockMs + 1 s), then a call to JustLogin's API (its timeout).
 */
const REQUEST_TIMEOUT_MS = 60_000;
/** Kept in full: the responses that were not 200, at most this many. */
const MAX_KEPT = 20_000;

/**
 * The instances behind an imaginary load balancer: round robin from where a user's burst starts,
 * skipping instances that are down; `replace` swaps a dead instance for its successor.
 */
class Router {
  constructor(urls) {
    this.urls = [...urls];
    this.down = new Set();
  }

  pick(position) {
    const live = this.urls.filter((url) => !this.down.has(url));
    return live[position % live.length];
  }

  markDown(url) {
    this.down.add(url);
  }

  replace(old, next) {
    this.urls[this.urls.indexOf(old)] = next;
    this.down.delete(old);
  }
}

/** Every answer to the first this many users is kept whole for `traced`. */
const TRACED_USERS = 50;

/** What the load saw: statuses, the responses that were not 200, each user's refresh tokens, latencies. */
class Record {
  /** `traced`: keep every answer to the first TRACED_USERS users (for SOAK_DUMP). */
  constructor(users, { traced = false } = {}) {
    this.trace = traced ? [] : undefined;
    this.requests = 0;
    this.statuses = {};
    this.failures = [];
    this.retried = [];
    this.latencyMs = [];
    /** When each request began (epoch ms), in the order of `latencyMs`, and whether it got a 200. */
    this.startedAt = [];
    this.ok = [];
    /** Per user: the refresh-token ids answers showed, in the order first seen. */
    this.refreshTokens = Array.from({ length: users }, () => []);
  }

  add(user, { status, path, started, ended, body, url, expired }) {
    if (this.trace && user < TRACED_USERS) {
      this.trace.push({ user, status, path, started, ended, rt: body?.rt, error: body?.error, url });
    }
    this.requests += 1;
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    this.latencyMs.push(ended - started);
    this.startedAt.push(started);
    this.ok.push(status === 200);
    if (status !== 200 && this.failures.length < MAX_KEPT) {
      this.failures.push({ user, status, path, started, ended, error: body?.error, expired });
    }
    const seen = this.refreshTokens[user];
    if (body?.rt && body.rt !== '-' && !seen.includes(body.rt)) seen.push(body.rt);
  }
}

/**
 * GET `path` on the instance the router picks for `position`, as user `user` with session `cookie`.
 * A connection that fails (an instance that died) is tried once more on the next instance, as a load
 * balancer would, and noted in `record.retried`. Resolves with the answer's body, or undefined.
 */
async function request({ router, record, user, cookie, path, position, expiresAt = Infinity }) {
  const started = Date.now();

  let url = router.pick(position);
  for (let attempt = 0; ; attempt += 1) {
    try {
      const res = await fetch(`${url}${path}`, {
        headers: { cookie },
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      // Whether the access token, as far as the user knows it, had expired before the app answered.
      const ended = Date.now();
      record.add(user, { status: res.status, path, started, ended, body, url, expired: ended >= expiresAt * 1000 });
      return res.status === 200 ? body : undefined;
    } catch (error) {
      if (attempt === 0 && error.name !== 'TimeoutError') {
        record.retried.push({ user, url, at: Date.now() });
        router.markDown(url); // as a load balancer's health check would
        url = router.pick(position + 1);
        continue;
      }
      record.add(user, { status: 'error', path, started, ended: Date.now() });
      return undefined;
    }
  }
}

/**
 * User `user`'s traffic until `until()` (epoch ms; it may move while the others sign in):
 * `expiresAt` (epoch s) is when its access token expires as the sign-in left it; it is due
 * `skewMs` before. At most `maxRounds` bursts. Resolves when done.
 */
async function soakUser({ router, record, user, cookie, expiresAt, skewMs, until, maxRounds }) {
  let expires = expiresAt;
  for (let round = 0; round < maxRounds && Date.now() < until(); round += 1) {
    const due = expires * 1000 - skewMs + Math.random() * 1_000;
    if (due - Date.now() > 300) {
      // One request while the tokens are fresh, at a random moment before they are due.
      await sleep(Math.random() * (due - Date.now() - 200));
      if (Date.now() >= until()) break;
      const body = await request({
        router,
        record,
        user,
        cookie,
        path: '/api/me',
        position: user + round,
        expiresAt: expires,
      });
      if (body?.expiresAt > expires) expires = body.expiresAt;
    }
    await sleep(Math.max(0, Math.min(due, until()) - Date.now()));
    if (Date.now() >= until()) break;
    const before = expires;
    const answers = await Promise.all(
      Array.from({ length: BURST }, async (_, i) => {
        await sleep(Math.random() * JITTER_MS);
        const path = i === 0 ? '/api/profile' : '/api/me';
        return request({ router, record, user, cookie, path, position: user + round + i, expiresAt: expires });
      }),
    );
    for (const body of answers) if (body?.expiresAt > expires) expires = body.expiresAt;
    if (expires === before) await sleep(RETRY_MS); // not renewed: JustLogin or Redis is down; try again soon
  }
}

module.exports = { Record, Router, request, soakUser };
