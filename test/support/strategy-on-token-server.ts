// The set-up of the tests of what the strategy sends to JustLogin's token endpoint and how it reads
// the answer: a TokenServer started before each test and stopped after it, and strategy options
// that point at it.
import type { JustLoginStrategyOptions, JustLoginVerifyWithProfile } from '../../lib';
import { TokenServer } from './token-server';

export const CLIENT_ID = 'client-abc';

/** Signs in a user `{ id }` with the profile's id. */
export const verify: JustLoginVerifyWithProfile = (_at, _rt, profile, done) => done(null, { id: profile.id });

export interface StrategyOnTokenServer {
  /** This test's token server. */
  readonly server: TokenServer;
  /** Options for `CLIENT_ID` on this test's token server, with `overrides`. */
  options: (overrides?: Partial<JustLoginStrategyOptions>) => JustLoginStrategyOptions;
}

/** Registers the beforeEach and afterEach that start and stop a TokenServer for each test. */
export function useStrategyOnTokenServer(defaults: {
  clientSecret: string;
  callbackURL: string;
}): StrategyOnTokenServer {
  let server: TokenServer | undefined;
  beforeEach(async () => {
    server = await TokenServer.start();
  });
  afterEach(() => server?.stop());

  const setup: StrategyOnTokenServer = {
    get server() {
      if (!server) throw new Error('the token server starts in beforeEach');
      return server;
    },
    options: (overrides = {}) => ({ clientID: CLIENT_ID, ...defaults, baseURL: setup.server.origin, ...overrides }),
  };
  return setup;
}
