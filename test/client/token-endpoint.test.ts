import { inspect } from 'node:util';
import { JustLoginRequestError, JustLoginTokenError } from '../../lib';
import { TokenEndpoint } from '../../lib/client/token-endpoint';
import * as redaction from '../../lib/redact';
import { createTransport } from '../../lib/client/transport';
import { TokenServer, tokenResponse } from '../support/token-server';
import { seeGuide } from '../support/guide';

// The token endpoint client: what it refuses on the way out and on the way
// in, and what its errors may show.

const CLIENT_ID = 'client-abc';
const CLIENT_SECRET = 'Zq8+xW2/vK=é~ *(x)"\\q';
const CODE = 'code+0/9=ab';
const VERIFIER = 'verifier-~_.Ab+cd/ef';
const REFRESH_TOKEN = 'refresh+tok/en=42';
const ACCESS_TOKEN = 'access+tok/en=17';
const REDIRECT_URI = 'http://app.test/auth/justlogin/callback';

let server: TokenServer;
beforeEach(async () => {
  server = await TokenServer.start();
});
afterEach(async () => {
  jest.useRealTimers();
  await server.stop();
});

function endpoint(timeout = 1000): TokenEndpoint {
  const transport = createTransport();
  return new TokenEndpoint({
    clientID: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tokenURL: server.url,
    timeout,
    transport,
  });
}

async function failure(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Every way a secret may come back inside a text: raw, percent- (also twice) and form-encoded in both hex cases, JSON-escaped. */
function encodings(value: string): string[] {
  const percent = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  const lower = (text: string) => text.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
  const json = JSON.stringify(value).slice(1, -1);
  // JSON with every character but letters and digits written as \uXXXX.
  const unicode = value.replace(/[^A-Za-z0-9]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [
    value,
    percent,
    lower(percent),
    encodeURIComponent(percent),
    form,
    lower(form),
    json,
    json.replace(/\//g, '\\/'),
    unicode,
    unicode.replace(/\\u([0-9a-f]{4})/g, (_escape, hex: string) => `\\u${hex.toUpperCase()}`),
  ];
}

describe('a bearer token HTTP cannot carry', () => {
  it.each([
    ['CR/LF', 'abc\r\nX-Injected: 1'],
    ['a character outside Latin-1', 'abc\u0101def'],
    ['a Latin-1 letter outside VSCHAR', 'abcédef'],
  ])('with %s is refused with a JustLoginRequestError and leaves no timer behind', async (_case, bearer) => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const error = await failure(endpoint().request({ grant_type: 'refresh_token', refresh_token: 'r' }, bearer));
    expect(error).toBeInstanceOf(JustLoginRequestError);
    expect(error).toMatchObject({ code: 'EBADREQUEST', retryable: false });
    expect(error.message).not.toContain('abc');
    // The old client left its timeout armed; firing it destroyed a request that never existed.
    expect(() => jest.runOnlyPendingTimers()).not.toThrow();
    expect(server.requests).toHaveLength(0);
  });
});

describe('a token response with a value outside RFC 6749 VSCHAR', () => {
  it.each([
    ['access_token', 'good\r\nSet-Cookie: evil=1'],
    ['access_token', 'good\nX: y'],
    ['access_token', 'tōken'],
    ['access_token', 'tokén'],
    ['access_token', 'tab\there'],
    ['access_token', 'del\u007f'],
    ['refresh_token', 'refresh\r\nX: 1'],
    ['refresh_token', 'refresh\u2028'],
    ['token_type', 'Bearer\r\n'],
    ['id_token', 'a.b.c\r\nX: 1'],
  ])('is refused where it arrives: %s %j', async (field, value) => {
    server.reply({ body: tokenResponse({ [field]: value }) });
    const error = await failure(endpoint().request({ grant_type: 'refresh_token', refresh_token: 'r' }));
    expect(error).toBeInstanceOf(JustLoginRequestError);
    expect(error).toMatchObject({ code: 'EBADRESPONSE', retryable: false });
    expect(error.message).toContain(field);
    expect(inspect(error)).not.toContain(value);
  });

  it('accepts every VSCHAR', async () => {
    const all = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
    server.reply({ body: tokenResponse({ access_token: all, refresh_token: all }) });
    const response = await endpoint().request({ grant_type: 'refresh_token', refresh_token: 'r' });
    expect(response.access_token).toBe(all);
  });
});

describe('errors from the token endpoint', () => {
  const params = { grant_type: 'authorization_code', code: CODE, code_verifier: VERIFIER, redirect_uri: REDIRECT_URI };

  it.each(
    [CLIENT_SECRET, CODE, VERIFIER, REFRESH_TOKEN, ACCESS_TOKEN].flatMap((secret) =>
      encodings(secret).map((form) => [secret, form]),
    ),
  )('redact %j echoed as %j', async (_secret, form) => {
    server.reply({
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: `bad value ${form}.`,
        error_uri: `https://x.test/?v=${form}`,
      },
    });
    const error = (await failure(
      endpoint().request({ ...params, refresh_token: REFRESH_TOKEN }, ACCESS_TOKEN),
    )) as JustLoginTokenError;
    expect(error).toBeInstanceOf(JustLoginTokenError);
    expect(error.message).toBe(
      `JustLogin refused the token request: invalid_request (bad value [redacted].)${seeGuide('invalid_request')}`,
    );
    expect(error.uri).toBe('https://x.test/?v=[redacted]');
    expect(inspect(error)).not.toContain(form);
  });

  it('redact the secrets in an echo of the whole request', async () => {
    server.reply((request) => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: `${request.body} ${request.headers.authorization}` },
    }));
    const error = await failure(
      endpoint().request({ grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN }, ACCESS_TOKEN),
    );
    const seen = `${inspect(error)} ${error.message}`;
    for (const secret of [REFRESH_TOKEN, ACCESS_TOKEN, CLIENT_SECRET]) {
      for (const form of encodings(secret)) expect(seen).not.toContain(form);
    }
    expect(error.message).toContain('client_secret=[redacted]');
    expect(error.message).toContain('Bearer [redacted]');
  });

  it('keep grant_type, redirect_uri and client_id readable', async () => {
    const description = `redirect_uri ${REDIRECT_URI} is not registered for grant authorization_code of client ${CLIENT_ID}`;
    server.reply({ status: 400, body: { error: 'invalid_grant', error_description: description } });
    const error = await failure(endpoint().request(params));
    expect(error.message).toBe(
      `JustLogin refused the token request: invalid_grant (${description})${seeGuide('invalid_grant')}`,
    );
  });

  it('keep a form-encoded redirect_uri readable', async () => {
    server.reply((request) => ({ status: 400, body: { error: 'invalid_request', error_description: request.body } }));
    const error = await failure(endpoint().request(params));
    expect(error.message).toContain(`redirect_uri=${encodeURIComponent(REDIRECT_URI)}`);
    expect(error.message).toContain('grant_type=authorization_code');
    expect(error.message).toContain(`client_id=${CLIENT_ID}`);
    expect(error.message).toContain('client_secret=[redacted]');
  });

  it('name the token endpoint', async () => {
    server.reply('hang');
    const error = await failure(endpoint(100).request(params));
    expect(error).toMatchObject({ code: 'ETIMEDOUT', message: expect.stringContaining('token endpoint') });
  });
});

describe('an error description of any size', () => {
  /** The length of every text redaction is given, while `run` runs. */
  async function textsRedacted(run: () => Promise<unknown>): Promise<number[]> {
    const redact = redaction.redact;
    const lengths: number[] = [];
    const spy = jest.spyOn(redaction, 'redact').mockImplementation((text, ...rest) => {
      lengths.push(text.length);
      return redact(text, ...rest);
    });
    try {
      await run();
    } finally {
      spy.mockRestore();
    }
    return lengths;
  }

  // A secret that starts with a character other than a letter or digit once made redaction try every run
  // of backslashes to its end, at every position: 80,000 of them blocked the event loop for seconds.
  it.each([
    ['a code starting with /', { code: `/${CODE}` }, undefined],
    ['an access token starting with +', { refresh_token: REFRESH_TOKEN }, `+${ACCESS_TOKEN}`],
  ])('is cut before it is redacted: %s', async (_case, secrets, bearer) => {
    const backslashes = '\\'.repeat(20_000);
    server.reply({
      status: 400,
      body: { error: 'invalid_grant', error_description: backslashes, error_uri: `https://x.test/${backslashes}` },
    });
    let error: Error | undefined;
    const lengths = await textsRedacted(async () => {
      error = await failure(endpoint().request({ grant_type: 'authorization_code', ...secrets }, bearer));
    });
    expect(error).toMatchObject({ code: 'invalid_grant' });
    expect(lengths.length).toBeGreaterThan(0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(300);
    expect(error?.message.length).toBeLessThan(400 + seeGuide('invalid_grant').length);
  });

  it.each(encodings(CLIENT_SECRET).map((form) => [form]))(
    'never shows the beginning of a secret cut off at 300 characters: %j',
    async (form) => {
      for (const before of [290, 295, 299]) {
        server.reply({
          status: 400,
          body: { error: 'invalid_request', error_description: `${'x'.repeat(before)}${form} and more` },
        });
        const error = await failure(endpoint().request({ grant_type: 'refresh_token', refresh_token: 'r' }));
        expect(error.message).toContain(`${'x'.repeat(before)}[redacted]`);
        expect(error.message).not.toContain(`x${form.slice(0, 300 - before)}`);
      }
    },
  );
});
