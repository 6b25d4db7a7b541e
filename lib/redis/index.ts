/**
 * `passport-justlogin/redis`: renewals coordinated across instances on Redis. Also exported by the
 * main entry; importing it from here names what an app uses.
 *
 * @module passport-justlogin/redis
 */
export { RedisRefreshCoordinator } from './coordinator';
export type { RedisRefreshCoordinatorOptions } from './coordinator';
export type { RedisClientLike, RefreshCoordinatorLogger } from './commands';
export { RedisSessionIndex } from './session-index';
export type { RedisSessionIndexOptions } from './session-index';
