// client.endSessionURL (OpenID Connect RP-Initiated Logout 1.0): IdentityServer's inferred path, the
// advertised end_session_endpoint with discovery, or none.
import { JustLoginClient, JustLoginOptionsError } from '../../lib';
import { TokenServer } from '../support/token-server';

let server: TokenServer;
let advertised: Record<string, unknown>;

beforeAll(async () => {
  server = await TokenServer.start();
  server.reply(() => ({
    body: { issuer: `${server.origin}/v1/auth`, jwks_uri: `${server.origin}/keys`, ...advertised },
  }));
});
afterAll(() => server.stop());

const client = (options: object = {}) =>
  new JustLoginClient({ clientID: 'client-abc', clientSecret: 'secret-xyz', baseURL: server.origin, ...options });

describe('client.endSessionURL', () => {
  it("is IdentityServer's connect/endsession beside the token endpoint, with client_id and the parameters given", async () => {
    const url = new URL(
      (await client().endSessionURL({
        idTokenHint: 'id.token.value',
        postLogoutRedirectURI: 'https://app.example.com/auth/signed-out',
        state: 'state-123',
      }))!,
    );
    expect(url.origin + url.pathname).toBe(`${server.origin}/v1/auth/connect/endsession`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'client-abc',
      id_token_hint: 'id.token.value',
      post_logout_redirect_uri: 'https://app.example.com/auth/signed-out',
      state: 'state-123',
    });
    const production = new JustLoginClient({ clientID: 'client-abc', clientSecret: 'secret-xyz' });
    expect(await production.endSessionURL()).toBe(
      'https://apis.justlogin.com/v1/auth/connect/endsession?client_id=client-abc',
    );
  });

  it('is the advertised end_session_endpoint with discovery, and undefined when none is advertised', async () => {
    advertised = { end_session_endpoint: `${server.origin}/logout-here?ui=1` };
    const url = new URL((await client({ discovery: true }).endSessionURL({ state: 's' }))!);
    expect(url.pathname).toBe('/logout-here');
    expect(Object.fromEntries(url.searchParams)).toEqual({ ui: '1', client_id: 'client-abc', state: 's' });
    advertised = {};
    await expect(client({ discovery: true }).endSessionURL({ state: 's' })).resolves.toBeUndefined();
  });

  it('refuses a post_logout_redirect_uri that is not an absolute http(s) URL, and unknown or empty parameters', async () => {
    for (const params of [
      { postLogoutRedirectURI: '/signed-out' },
      { postLogoutRedirectURI: 'javascript:alert(1)' },
      { postLogoutRedirectURI: 'https://user:pass@app.example.com/' },
      { idTokenHint: '' },
      { post_logout_redirect_uri: 'https://app.example.com/' },
    ]) {
      await expect(client().endSessionURL(params as object)).rejects.toBeInstanceOf(JustLoginOptionsError);
    }
  });
});
