import {
  JustLoginClient,
  JustLoginStrategy,
  type JustLoginClientOptions,
  type JustLoginStrategyOptions,
} from '../../lib';

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
    'refuses %s over http:// to a public host with a TypeError naming it',
    (option) => {
      const attempt = () => make({ [option]: 'http://idp.example.com/v1/auth' });
      expect(attempt).toThrow(TypeError);
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
      expect(() => clientAt({ baseURL: url })).toThrow(TypeError);
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
    expect(attempt).toThrow(TypeError);
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
  ])('refuses %j with a TypeError naming callbackURL', (callbackURL) => {
    const attempt = () => make({ callbackURL });
    expect(attempt).toThrow(TypeError);
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
  it("'staging' is JustLogin's staging environment, and 'sandbox' (JustLogin's own name for it) means the same", () => {
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
    expect(endpoints(clientAt({ environment: 'sandbox' }))).toEqual(endpoints(clientAt({ environment: 'staging' })));
    expect(clientAt({}).baseURL).toBe('https://apis.justlogin.com');
  });

  it('an unknown environment names the known ones', () => {
    expect(() => clientAt({ environment: 'test' as 'staging' })).toThrow(
      "`environment` must be 'production' or 'staging' (or set `baseURL` for any other JustLogin host)",
    );
  });
});
