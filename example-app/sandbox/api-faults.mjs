// A test-only switch: the next N API calls get a failure status (429 with Retry-After, 503, …)
// instead of an answer. Set at start (SANDBOX_API_FAULT=status:count[:retryAfter]) or, when
// SANDBOX_API_CONTROL=1, through GET/POST /_sandbox/api-faults.
import express from 'express';

export const FAULT_STATUSES = [429, 500, 502, 503, 504];
export const FAULTS_PATH = '/_sandbox/api-faults';
const MAX_COUNT = 1000;
const MAX_RETRY_AFTER = 3600;
const DEFAULT_RETRY_AFTER = 1; // seconds, for 429 when none is given

/**
 * Checks a fault `{ status, count, retryAfter? }` and returns it normalised; throws a TypeError
 * that says what is wrong. `count: 0` switches faults off.
 */
export function checkFault({ status, count, retryAfter } = {}) {
  if (!FAULT_STATUSES.includes(status)) throw new TypeError(`status must be one of ${FAULT_STATUSES.join(', ')}`);
  if (!Number.isInteger(count) || count < 0 || count > MAX_COUNT) {
    throw new TypeError(`count must be an integer from 0 to ${MAX_COUNT}`);
  }
  if (retryAfter !== undefined && (!Number.isInteger(retryAfter) || retryAfter < 0 || retryAfter > MAX_RETRY_AFTER)) {
    throw new TypeError(`retryAfter must be an integer from 0 to ${MAX_RETRY_AFTER} (seconds)`);
  }
  return { status, count, retryAfter: retryAfter ?? (status === 429 ? DEFAULT_RETRY_AFTER : undefined) };
}

/** Reads `status:count[:retryAfter]`, e.g. `429:3` or `503:2:5`, as SANDBOX_API_FAULT holds it. */
export function parseFault(text) {
  const match = /^(\d{3}):(\d{1,4})(?::(\d{1,4}))?$/.exec(text);
  if (!match) throw new TypeError('must look like status:count or status:count:retryAfter, e.g. 429:3');
  const [, status, count, retryAfter] = match;
  return checkFault({
    status: Number(status),
    count: Number(count),
    retryAfter: retryAfter === undefined ? undefined : Number(retryAfter),
  });
}

/** The switch and a count of the API calls received, as Express middleware in front of the API. */
export function createApiFaults(initial) {
  let fault = initial ? checkFault(initial) : undefined;
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
