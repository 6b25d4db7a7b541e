/**
 * The main entry point, `passport-justlogin`: the strategy, the refresher, the API client and
 * everything they take.
 *
 * @module passport-justlogin
 */
export * from '../lib/index';
