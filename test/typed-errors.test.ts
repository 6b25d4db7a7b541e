// Every error the package makes is one of its own (a JustLoginError): no plain Error, TypeError or
// RangeError is created anywhere in lib/ but in the error family itself and the options check.
import { readdirSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join, relative } from 'node:path';
import { JustLoginClient, JustLoginOptionsError, JustLoginRefresher, JustLoginStrategy } from '../lib';
import { SessionStateStore } from '../lib/sign-in/state-store';
import { createTransport } from '../lib/client/transport';

const LIB = join(__dirname, '..', 'lib');
const ALLOWED = new Set(['errors.ts', 'client/options.ts']);

it('creates no plain Error, TypeError or RangeError in lib/', () => {
  const found: string[] = [];
  for (const entry of readdirSync(LIB, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = relative(LIB, join(entry.parentPath, entry.name)).replaceAll('\\', '/');
    if (ALLOWED.has(path)) continue;
    readFileSync(join(LIB, path), 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (/\bnew (Type|Range)?Error\(/.test(line)) found.push(`lib/${path}:${index + 1}: ${line.trim()}`);
      });
  }
  expect(found).toEqual([]);
});

describe('an option or argument the package cannot use is a JustLoginOptionsError', () => {
  const client = { clientID: 'client', clientSecret: 'secret' };
  it.each<[string, () => unknown]>([
    [
      'a strategy without a verify callback',
      () => new JustLoginStrategy({ ...client, callbackURL: '/cb' }, undefined as never),
    ],
    ['fromStrategy given no strategy', () => JustLoginRefresher.fromStrategy({} as never)],
    [
      'a coordinator whose lock ends before the timeout',
      () =>
        new JustLoginRefresher({
          ...client,
          timeout: 5_000,
          coordinator: { lockMs: 1_000, run: (_key, task) => task() },
        }),
    ],
    ['a fetch that is not a function', () => new JustLoginClient({ ...client, fetch: 'fetch' as never })],
    ['both fetch and agent', () => new JustLoginClient({ ...client, fetch: globalThis.fetch, agent: new Agent() })],
    ['an agent that is not an Agent', () => new JustLoginClient({ ...client, agent: {} as never })],
    ['setAgent under fetch', () => createTransport({ fetch: globalThis.fetch }).setAgent(new Agent())],
    ['setAgent given no Agent', () => createTransport().setAgent({} as never)],
    ['an unknown environment', () => new JustLoginClient({ ...client, environment: 'test' as never })],
    [
      'a token URL over plain http to another host',
      () => new JustLoginClient({ ...client, tokenURL: 'http://idp.example/token' }),
    ],
    [
      'allowInsecureRequests that is not a boolean',
      () => new JustLoginClient({ ...client, allowInsecureRequests: 'yes' as never }),
    ],
    ['a client without a client secret', () => new JustLoginClient({ ...client, clientSecret: '' })],
    ['a client with a bad timeout', () => new JustLoginClient({ ...client, timeout: -1 })],
    ['a negative graceMs', () => new JustLoginRefresher({ ...client, graceMs: -1 })],
  ])('%s', (_what, attempt) => {
    let error: unknown;
    try {
      attempt();
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(JustLoginOptionsError);
    expect(error).toMatchObject({ code: 'EBADOPTIONS', retryable: false, reauthenticate: false });
    expect((error as Error).message).toMatch(/^passport-justlogin: /);
  });

  it('state without a session: the session store says so through its callback', () => {
    const store = new SessionStateStore('oauth2:apis.justlogin.com');
    const errors: unknown[] = [];
    store.store({ headers: {} }, undefined, undefined, {} as never, (error) => errors.push(error));
    store.verify({ headers: {} }, 'handle', {} as never, (error) => errors.push(error));
    expect(errors).toHaveLength(2);
    for (const error of errors) {
      expect(error).toBeInstanceOf(JustLoginOptionsError);
      expect((error as Error).message).toMatch(/requires session support/);
    }
  });
});

it('a callback whose Host header makes no URL for a relative callbackURL fails the sign-in (400), throws nothing', () => {
  const strategy = new JustLoginStrategy(
    { clientID: 'client', clientSecret: 'secret', callbackURL: '/auth/justlogin/callback' },
    (_at, _rt, _params, profile, done) => done(null, { id: profile.id }),
  );
  const outcomes: unknown[] = [];
  Object.assign(strategy, {
    fail: (challenge: unknown, status: number) => outcomes.push({ challenge, status }),
    error: (error: unknown) => outcomes.push(error),
  });
  strategy.authenticate({
    headers: { host: 'app example' },
    url: '/auth/justlogin/callback?code=abc&state=xyz',
    query: { code: 'abc', state: 'xyz' },
    session: {},
  });
  expect(outcomes).toEqual([{ challenge: { message: expect.stringMatching(/Host/), code: 'EBADHOST' }, status: 400 }]);
});
