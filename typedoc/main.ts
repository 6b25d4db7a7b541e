/**
 * The main entry point, `passport-justlogin`: the strategy, the refresher, the API client and
 * everything they take. Its classes and functions that load on first use are exported here
 * from their own modules, so that the API reference documents them in full.
 *
 * @module passport-justlogin
 */
export * from '../lib/index';
export { JustLoginRefresher } from '../lib/refresh';
export { SingleFlight } from '../lib/single-flight';
export { RedisRefreshCoordinator } from '../lib/redis-coordinator';
export { keepTokensFresh } from '../lib/fresh-tokens';
export { toTokenSet, isExpired } from '../lib/token-set';
export { CookieStateStore } from '../lib/cookie-state-store';
export { JustLoginApi } from '../lib/api/api';
