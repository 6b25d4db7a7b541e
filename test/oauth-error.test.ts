// One rule for every OAuth 2.0 error, wherever JustLogin sends it: in the authorization response on the
// callback, or from the token endpoint at sign-in, at a renewal, and at a renewal inside an API call.
// The code must be in RFC 6749's character set, the URI https, the description one line and short.
import { inspect } from 'node:util';
import { JustLoginApi, JustLoginRefresher, JustLoginStrategy } from '../lib';
import { oauthError } from '../lib/oauth-error';
import { TokenServer } from './support/token-server';

const CLIENT_ID = 'client-abc';
const CLIENT_SECRET = 'client-secret-Qz4+wX';
const REFRESH_TOKEN = 'refresh-token-Hs8/42';

let server: TokenServer;
beforeEach(async () => {
  server = await TokenServer.start();
});
afterEach(() => server.stop());

/** What the app sees of a failure: the error's fields, or Passport's failure info and status. */
interface Seen {
  error?: Error & { code?: string; uri?: string; cause?: unknown };
  failure?: { message?: string; code?: string };
  status?: number;
}

function strategy() {
  return new JustLoginStrategy(
    {
      clientID: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      callbackURL: 'http://app.test/callback',
      baseURL: server.origin,
    },
    (_accessToken, _refreshToken, _params, profile, done) => done(null, { id: profile.id }),
  );
}

/** Runs a callback carrying `params` on the strategy, as passport does (Object.create), after a sign-in began. */
async function callback(params: Record<string, string>): Promise<Seen> {
  const session: Record<string, unknown> = {};
  const base = strategy();
  const start = Object.create(base) as JustLoginStrategy;
  const state = await new Promise<string>((resolve) => {
    start.redirect = (url: string) => resolve(new URL(url).searchParams.get('state') ?? '');
    start.authenticate({ query: {}, session, headers: { host: 'app.test' } });
  });
  const run = Object.create(base) as JustLoginStrategy;
  return new Promise<Seen>((resolve) => {
    run.error = (error: Seen['error']) => resolve({ error });
    run.fail = (failure: Seen['failure'], status?: number) => resolve({ failure, status });
    run.success = () => resolve({});
    run.authenticate({ query: { ...params, state }, session, headers: { host: 'app.test' }, url: '/callback' });
  });
}

async function rejection(promise: Promise<unknown>): Promise<Seen> {
  return promise.then(
    () => ({}),
    (error: Seen['error']) => ({ error }),
  );
}

/** Each place an OAuth error reaches the app from: `fields` as JustLogin would send them there. */
const SOURCES: Record<string, (fields: Record<string, string>) => Promise<Seen>> = {
  'the authorization response': (fields) => callback(fields),
  'the token endpoint at sign-in': (fields) => {
    server.reply({ status: 400, body: fields });
    return callback({ code: 'authorization-code-1' });
  },
  'the token endpoint at a renewal': (fields) => {
    server.reply({ status: 400, body: fields });
    const refresher = new JustLoginRefresher({
      clientID: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      tokenURL: server.url,
    });
    return rejection(refresher.refresh({ refreshToken: REFRESH_TOKEN }));
  },
  'the token endpoint at a renewal for an API call': async (fields) => {
    server.reply({ status: 400, body: fields });
    const refresher = new JustLoginRefresher({
      clientID: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      baseURL: server.origin,
    });
    const tokens = { accessToken: 'access-token-1', refreshToken: REFRESH_TOKEN, tokenType: 'Bearer', expiresAt: 1 };
    const seen = await rejection(new JustLoginApi({ refresher, tokens }).request('GET', '/membership/v3/users'));
    // The API's error carries the renewal's code; the renewal's own error is its cause.
    return { error: seen.error?.cause as Seen['error'], apiError: seen.error } as Seen;
  },
};

/** Every text the app could show or log of what it saw. */
function shown(seen: Seen): string {
  const api = (seen as { apiError?: unknown }).apiError;
  return [seen.error?.message, seen.error?.uri, seen.failure?.message, inspect(api ?? seen.error)].join(' ');
}

describe.each(Object.keys(SOURCES))('from %s', (source) => {
  const from = SOURCES[source];

  it.each([
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['plain http', 'http://docs.justlogin.example/errors'],
    ['a relative reference', '/errors'],
    ['credentials', 'https://user:pass@docs.justlogin.example/errors'],
  ])('drops an error_uri with %s', async (_case, uri) => {
    const seen = await from({ error: 'invalid_request', error_uri: uri });
    expect(seen.error).toMatchObject({ code: 'invalid_request' });
    expect(seen.error?.uri).toBeUndefined();
    expect(shown(seen)).not.toContain(uri);
  });

  it('keeps an https error_uri', async () => {
    const seen = await from({ error: 'invalid_request', error_uri: 'https://docs.justlogin.example/errors#x' });
    expect(seen.error).toMatchObject({ code: 'invalid_request', uri: 'https://docs.justlogin.example/errors#x' });
  });

  it.each([
    ['a quote', 'invalid"request'],
    ['a backslash', 'invalid\\request'],
    ['CR/LF', 'invalid_request\r\nforged'],
    ['a character outside ASCII', 'invalid_réquest'],
    ['more than 64 characters', `invalid_${'x'.repeat(60)}`],
  ])('never makes an error code with %s the code', async (_case, code) => {
    const seen = await from({ error: code, error_description: 'forged' });
    expect(seen.error?.code).not.toBe(code);
    expect(seen.failure?.code).not.toBe(code);
    expect(shown(seen)).not.toContain(code);
    expect(shown(seen)).not.toContain('forged');
  });

  it.each([
    ['NEL (U+0085)', '\u0085'],
    ['LINE SEPARATOR (U+2028)', '\u2028'],
    ['PARAGRAPH SEPARATOR (U+2029)', '\u2029'],
    ['CR/LF', '\r\n'],
    ['ESC', '\u001b'],
  ])('makes a description with %s one line', async (_case, separator) => {
    const seen = await from({
      error: 'server_error',
      error_description: `JustLogin is down${separator}2026-01-01 INFO admin signed in`,
    });
    expect(seen.error).toMatchObject({ code: 'server_error' });
    expect(seen.error?.message).toContain('JustLogin is down 2026-01-01 INFO admin signed in');
    expect(seen.error?.message).not.toMatch(/[\p{Cc}\p{Zl}\p{Zp}]/u);
  });

  it('keeps at most 300 characters of a description', async () => {
    // Dots: no secret here begins with one, so no tail of the description is taken for a secret cut short.
    const seen = await from({ error: 'server_error', error_description: '.'.repeat(100_000) });
    expect(seen.error).toMatchObject({ code: 'server_error' });
    expect(seen.error?.message).toContain(`${'.'.repeat(300)}…`);
    expect(seen.error?.message).not.toContain('.'.repeat(301));
  });
});

describe('oauthError', () => {
  it('passes a code in RFC 6749’s character set as sent, and refuses one holding a secret', () => {
    const all = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).filter(
      (c) => c !== '"' && c !== '\\',
    );
    for (let i = 0; i < all.length; i += 64) {
      const code = all.slice(i, i + 64).join('');
      expect(oauthError({ error: code })?.code).toBe(code);
    }
    expect(oauthError({ error: `bad_${CLIENT_SECRET}` }, [CLIENT_SECRET])).toBeUndefined();
    expect(oauthError({ error: '' })).toBeUndefined();
    expect(oauthError({ error: 42 })).toBeUndefined();
  });

  it('redacts secrets in the description and the URI', () => {
    const error = oauthError(
      {
        error: 'invalid_grant',
        error_description: `refresh token ${REFRESH_TOKEN} is spent`,
        error_uri: `https://docs.justlogin.example/?t=${encodeURIComponent(REFRESH_TOKEN)}`,
      },
      [REFRESH_TOKEN],
    );
    expect(error).toEqual({
      code: 'invalid_grant',
      description: 'refresh token [redacted] is spent',
      uri: 'https://docs.justlogin.example/?t=[redacted]',
    });
  });

  it('never keeps half of a surrogate pair where the description is cut', () => {
    const description = `${'x'.repeat(299)}😀 and more`;
    expect(oauthError({ error: 'server_error', error_description: description })?.description).toBe(
      `${'x'.repeat(299)}…`,
    );
  });
});
