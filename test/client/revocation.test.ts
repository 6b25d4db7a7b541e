// client.revoke (RFC 7009) against a recording endpoint on 127.0.0.1: what is sent, where, and what
// each answer becomes.
import { JustLoginClient, JustLoginOptionsError, JustLoginRequestError, JustLoginTokenError } from '../../lib';
import { TokenServer } from '../support/token-server';

const SECRET = 'client-secret-value-9Qw';
const TOKEN = 'refresh-token-value-7Zp';
let server: TokenServer;

beforeEach(async () => {
  server = await TokenServer.start();
  server.reply({ status: 200, body: '' });
});
afterEach(() => server.stop());

const client = (options: object = {}) =>
  new JustLoginClient({ clientID: 'client-abc', clientSecret: SECRET, baseURL: server.origin, ...options });

async function failure(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('client.revoke', () => {
  it("POSTs the token, its hint and the client credentials in the body to IdentityServer's connect/revocation", async () => {
    await client().revoke(TOKEN, { tokenTypeHint: 'refresh_token' });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/auth/connect/revocation');
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.form).toEqual({
      token: TOKEN,
      token_type_hint: 'refresh_token',
      client_id: 'client-abc',
      client_secret: SECRET,
    });
  });

  it('revokes beside a tokenURL of its own, and leaves the hint out when none is given', async () => {
    await client({ tokenURL: `${server.origin}/identity/connect/token` }).revoke(TOKEN);
    expect(server.requests[0].url).toBe('/identity/connect/revocation');
    expect(server.requests[0].form).not.toHaveProperty('token_type_hint');
  });

  it('uses the revocation_endpoint discovery advertises, and rejects with EUNSUPPORTED when it advertises none', async () => {
    let advertised = true;
    server.reply((request) =>
      request.url.endsWith('/openid-configuration')
        ? {
            body: {
              issuer: `${server.origin}/v1/auth`,
              jwks_uri: `${server.origin}/keys`,
              ...(advertised ? { revocation_endpoint: `${server.origin}/revoke-here` } : {}),
            },
          }
        : { status: 200, body: '' },
    );
    await client({ discovery: true }).revoke(TOKEN);
    expect(server.requests.map((request) => request.url)).toContain('/revoke-here');
    advertised = false;
    const error = await failure(client({ discovery: true }).revoke(TOKEN));
    expect(error).toBeInstanceOf(JustLoginRequestError);
    expect(error).toMatchObject({ code: 'EUNSUPPORTED', retryable: false });
  });

  it('rejects a 400 unsupported_token_type with that code, and never quotes the token or the secret', async () => {
    server.reply({
      status: 400,
      body: { error: 'unsupported_token_type', error_description: `cannot revoke ${TOKEN} for ${SECRET}` },
    });
    const error = await failure(client().revoke(TOKEN, { tokenTypeHint: 'access_token' }));
    expect(error).toBeInstanceOf(JustLoginTokenError);
    expect(error).toMatchObject({ code: 'unsupported_token_type', status: 400, retryable: false });
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain(SECRET);
  });

  it('rejects a 503 without an OAuth error as a retryable EHTTPSTATUS', async () => {
    server.reply({ status: 503, body: '<html>down</html>' });
    const error = await failure(client().revoke(TOKEN));
    expect(error).toBeInstanceOf(JustLoginRequestError);
    expect(error).toMatchObject({ code: 'EHTTPSTATUS', status: 503, retryable: true });
    expect(error.message).not.toContain('down');
  });

  it('gives up after the client timeout with ETIMEDOUT', async () => {
    server.reply('hang');
    const error = await failure(client({ timeout: 200 }).revoke(TOKEN));
    expect(error).toMatchObject({ code: 'ETIMEDOUT', retryable: true });
  });

  it('refuses a token that is not a non-empty string, and an unknown option, before sending anything', async () => {
    for (const run of [
      client().revoke(''),
      client().revoke(undefined as unknown as string),
      client().revoke(TOKEN, { tokenTypeHnt: 'refresh_token' } as object),
    ]) {
      expect(await failure(run)).toBeInstanceOf(JustLoginOptionsError);
    }
    expect(server.requests).toHaveLength(0);
  });
});
