import { inspect } from 'node:util';
import {
  JustLoginClient,
  JustLoginOptionsError,
  JustLoginStrategy,
  type JustLoginClientOptions,
  type JustLoginStrategyOptions,
} from '../../lib';

/** What every URL option with a user name or password is refused with. */
const CREDENTIALS_PROBLEM =
  "must not hold a user name or password (`https://user:pass@…`): they would be sent with every request and shown in the browser's redirects";

// Plain http:// carries the client secret, codes and tokens in clear text: it is
// allowed for loopback hosts (a local sandbox) and otherwise only when asked for.

const base: JustLoginStrategyOptions = {
  clientID: 'client-abc',
  clientSecret: 'super-secret-value-123',
  callbackURL: 'https://app.example/callback',
};
const clientAt = (options: Omit<JustLoginClientOptions, 'clientID' | 'clientSecret'>) =>
  new JustLoginClient({ clientID: base.clientID, clientSecret: base.clientSecret, ...options });
const make = (overrides: Partial<JustLoginStrategyOptions>) =>
  new JustLoginStrategy({ ...base, ...overrides }, (_at, _rt, _params, _profile, done) => done(null, {}));

describe('http:// endpoints', () => {
  it.each(['baseURL', 'authorizationURL', 'tokenURL', 'jwksURL'] as const)(
    'refuses %s over http:// to a public host with a JustLoginOptionsError naming it',
    (option) => {
      const attempt = () => make({ [option]: 'http://idp.example.com/v1/auth' });
      expect(attempt).toThrow(JustLoginOptionsError);
      expect(attempt).toThrow(`\`${option}\``);
      expect(attempt).toThrow(/allowInsecureRequests/);
    },
  );

  it.each([
    'http://localhost:4000',
    'http://127.0.0.1:4000',
    'http://127.8.9.10',
    'http://[::1]:4000',
    'https://idp.example.com',
  ])('allows %s', (url) => {
    expect(() => make({ baseURL: url, jwksURL: `${url}/jwks` })).not.toThrow();
    expect(clientAt({ baseURL: url }).tokenURL).toBe(`${url}/v1/auth/connect/token`);
  });

  it.each(['http://localhost.evil.example', 'http://127.0.0.1.nip.io', 'http://[::2]', 'http://10.0.0.1'])(
    'treats %s as not loopback',
    (url) => {
      expect(() => clientAt({ baseURL: url })).toThrow(JustLoginOptionsError);
    },
  );

  it('allows any http:// host with allowInsecureRequests: true', () => {
    const endpoints = clientAt({ baseURL: 'http://idp.internal:8080', allowInsecureRequests: true });
    expect(endpoints.tokenURL).toBe('http://idp.internal:8080/v1/auth/connect/token');
    expect(() =>
      make({
        baseURL: 'http://idp.internal',
        authorizationURL: 'http://idp.internal/authorize',
        tokenURL: 'http://idp.internal/token',
        jwksURL: 'http://idp.internal/jwks',
        allowInsecureRequests: true,
      }),
    ).not.toThrow();
  });

  it('refuses an allowInsecureRequests that is not a boolean', () => {
    const attempt = () => clientAt({ allowInsecureRequests: 'yes' as unknown as boolean });
    expect(attempt).toThrow(JustLoginOptionsError);
    expect(attempt).toThrow('allowInsecureRequests');
  });
});

describe('callbackURL', () => {
  it.each([
    'javascript:alert(1)',
    'data:text/html,hi',
    'ftp://app.example/callback',
    '//evil.example/callback',
    '/\\evil.example/callback',
    'callback',
    'https://',
  ])('refuses %j with a JustLoginOptionsError naming callbackURL', (callbackURL) => {
    const attempt = () => make({ callbackURL });
    expect(attempt).toThrow(JustLoginOptionsError);
    expect(attempt).toThrow('callbackURL');
  });

  it.each(['https://app.example/callback', 'http://app.example/callback', '/auth/justlogin/callback'])(
    'accepts %s',
    (callbackURL) => {
      expect(() => make({ callbackURL })).not.toThrow();
    },
  );
});

describe('environment', () => {
  it("'staging' is JustLogin's hosted test environment", () => {
    const endpoints = ({ baseURL, authorizationURL, tokenURL }: JustLoginClient) => ({
      baseURL,
      authorizationURL,
      tokenURL,
    });
    expect(endpoints(clientAt({ environment: 'staging' }))).toEqual({
      baseURL: 'https://apis.justloginstaging.xyz',
      authorizationURL: 'https://apis.justloginstaging.xyz/v1/auth/connect/authorize',
      tokenURL: 'https://apis.justloginstaging.xyz/v1/auth/connect/token',
    });
    expect(clientAt({}).baseURL).toBe('https://apis.justlogin.com');
  });

  it("refuses 'sandbox', which names only the local justlogin-sandbox, and points to 'staging'", () => {
    const attempt = () => clientAt({ environment: 'sandbox' as 'staging' });
    expect(attempt).toThrow(JustLoginOptionsError);
    expect(attempt).toThrow("`environment` is 'sandbox': did you mean 'staging', JustLogin's hosted test environment?");
    expect(attempt).toThrow(/justlogin-sandbox.*`baseURL`/);
  });

  it('an unknown environment names the known ones', () => {
    expect(() => clientAt({ environment: 'test' as 'staging' })).toThrow(
      "`environment` must be 'production' or 'staging' (or set `baseURL` for any other JustLogin host)",
    );
  });
});

describe('URL options with a user name or password', () => {
  // `https://user:pass@host` would send the credentials as Authorization: Basic beside the client secret in the
  // body, and show them in every browser's redirect to the authorize URL.
  const PASSWORD = 'pa55-w0rd-Xq';
  const strategyWith = (options: object) => () =>
    new JustLoginStrategy({ ...base, ...options }, (_at, _rt, _params, _profile, done) => done(null, {}));
  const clientWith = (options: object) => () =>
    new JustLoginClient({ clientID: 'client-abc', clientSecret: 'super-secret-value-123', ...options });

  it.each([
    ['baseURL', `https://justlogin-user:${PASSWORD}@idp.example.com`],
    ['authorizationURL', `https://justlogin-user:${PASSWORD}@idp.example.com/v1/auth/connect/authorize`],
    ['tokenURL', `https://justlogin-user:${PASSWORD}@idp.example.com/v1/auth/connect/token`],
    ['jwksURL', `https://justlogin-user:${PASSWORD}@idp.example.com/jwks`],
    ['issuer', `https://justlogin-user:${PASSWORD}@idp.example.com/v1/auth`],
    ['baseURL', `http://justlogin-user:${PASSWORD}@127.0.0.1:4000`],
    ['tokenURL', 'https://justlogin-user@idp.example.com/token'],
    ['baseURL', `https://:${PASSWORD}@idp.example.com`],
  ])('refuses %s %s, naming the option and never the credentials', (option, url) => {
    for (const attempt of [clientWith({ [option]: url }), strategyWith({ [option]: url })]) {
      let error: unknown;
      try {
        attempt();
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(JustLoginOptionsError);
      const { problems, message } = error as JustLoginOptionsError;
      expect(problems).toEqual([`\`${option}\` ${CREDENTIALS_PROBLEM}`]);
      for (const text of [message, inspect(error, { showHidden: true, depth: Infinity })]) {
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain('justlogin-user');
      }
    }
  });

  it('refuses them even with allowInsecureRequests', () => {
    expect(clientWith({ baseURL: `http://user:${PASSWORD}@idp.internal`, allowInsecureRequests: true })).toThrow(
      `\`baseURL\` ${CREDENTIALS_PROBLEM}`,
    );
  });

  it.each([`https://app-user:${PASSWORD}@app.example/callback`, 'http://app-user@localhost:3000/callback'])(
    'refuses a callbackURL %s',
    (callbackURL) => {
      const attempt = strategyWith({ callbackURL });
      expect(attempt).toThrow(`\`callbackURL\` ${CREDENTIALS_PROBLEM}`);
      expect(attempt).not.toThrow(PASSWORD);
    },
  );

  it('refuses allowedEndpointOrigins with credentials: an origin holds none', () => {
    const attempt = clientWith({ allowedEndpointOrigins: [`https://keys-user:${PASSWORD}@keys.example.com`] });
    expect(attempt).toThrow('`allowedEndpointOrigins` must be a list of origins');
    expect(attempt).not.toThrow(PASSWORD);
  });

  it('accepts an empty user information part, which holds no credentials', () => {
    expect(clientWith({ baseURL: 'https://@idp.example.com' })).not.toThrow();
  });
});
