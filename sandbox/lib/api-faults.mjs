// A test-only switch: the next N API calls get a failure status (429 with Retry-After, 503, …)
// instead of an answer. Set at start (option `faults.api`, or --api-fault status:count[:retryAfter])
// or, with `faults.control`, through GET/POST /_sandbox/api-faults.
import express from 'express';

import options from './options.cjs';

const { checkFault } = options;

export const FAULTS_PATH = '/_sandbox/api-faults';

/** Reads `status:count[:retryAfter]`, e.g. `429:3` or `503:2:5`; throws a TypeError naming `name`. */
export function parseFault(text, name) {
  const match = /^(\d{3}):(\d{1,4})(?::(\d{1,4}))?$/.exec(text);
  if (!match) throw new TypeError(`${name} must look like status:count or status:count:retryAfter, e.g. 429:3`);
  const [, status, count, retryAfter] = match;
  const fault = { status: Number(status), count: Number(count) };
  return checkFault(retryAfter === undefined ? fault : { ...fault, retryAfter: Number(retryAfter) }, name);
}

/** The switch and a count of the API calls received, as Express middleware in front of the API. */
export function createApiFaults(initial) {
  let fault = initial;
  let remaining = fault?.count ?? 0;
  let apiCalls = 0;

  return {
    /** `{ status, remaining, retryAfter, apiCalls }`: what is left of the fault, and every API call so far. */
    state() {
      return { status: fault?.status ?? null, remaining, retryAfter: fault?.retryAfter ?? null, apiCalls };
    },
    set(next) {
      fault = checkFault(next);
      remaining = fault.count;
    },
    middleware(_req, res, next) {
      apiCalls += 1;
      if (remaining === 0) {
        next();
        return;
      }
      remaining -= 1;
      res.set('Cache-Control', 'no-store');
      if (fault.retryAfter !== undefined) res.set('Retry-After', String(fault.retryAfter));
      res.status(fault.status).json({ message: 'the sandbox was told to fail this call' });
    },
  };
}

/** GET (state) and POST (set, JSON `{ status, count, retryAfter? }`) at FAULTS_PATH. */
export function apiFaultRoutes(faults) {
  const router = express.Router();
  router.use(FAULTS_PATH, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.get(FAULTS_PATH, (_req, res) => {
    res.json(faults.state());
  });
  router.post(FAULTS_PATH, express.json({ limit: 1024, strict: true }), (req, res) => {
    try {
      faults.set(req.body ?? {});
    } catch (err) {
      res.status(400).json({ message: err.message });
      return;
    }
    res.json(faults.state());
  });
  router.use(FAULTS_PATH, (err, _req, res, _next) => {
    res
      .status(err.status >= 400 && err.status < 500 ? err.status : 400)
      .json({ message: 'expected a small JSON object' });
  });
  return router;
}
