import { inspect } from 'node:util';
import { JustLoginApi, JustLoginClient, JustLoginRefresher, type JustLoginClientOptions } from '../../lib';
import { createTransport, type FetchLike, type FetchResponseLike } from '../../lib/client/transport';
import { idTokenClaims } from '../support/id-token';
import { signIdToken, signingKey } from '../support/keys';
import { TokenServer, tokenResponse, type Reply } from '../support/token-server';

// A `fetch` given by the app that follows redirects although it is asked not to (`redirect:
// 'manual'`): JustLogin's host answers 307 towards a second recording server, which answers as
// JustLogin would. Whatever that fetch did, the answer of the other host is refused, for every
// request the transport makes.
const CLIENT_SECRET = 'client-secret-redirected-Hx4Lm9';
const REFRESH_TOKEN = 'refresh-token-redirected-Tq2Vb8';
const DISCOVERY_PATH = '/v1/auth/.well-known/openid-configuration';
const JWKS_PATH = `${DISCOVERY_PATH}/jwks`;
const TOKEN_PATH = '/v1/auth/connect/token';
const API_PATH = '/some/v1/things';

const following: FetchLike = (input, init) => globalThis.fetch(input, { ...init, redirect: 'follow' });

let justlogin: TokenServer;
let elsewhere: TokenServer;
/** The paths JustLogin's host redirects to the other server. */
let redirected: string;

beforeEach(async () => {
  [justlogin, elsewhere] = [await TokenServer.start(), await TokenServer.start()];
  const key = await signingKey('key-1');
  const answers =
    (origin: string) =>
    async (path: string): Promise<Reply> => {
      // Both answer as JustLogin would: only the access token says which one did.
      const issuer = `${justlogin.origin}/v1/auth`;
      if (path === DISCOVERY_PATH) return { body: { issuer, jwks_uri: justlogin.origin + JWKS_PATH } };
      if (path === JWKS_PATH) return { body: { keys: [key.jwk] } };
      if (path === TOKEN_PATH) {
        const idToken = await signIdToken(idTokenClaims('client-id', { iss: issuer }), key);
        return { body: tokenResponse({ access_token: `access-token-from-${origin}`, id_token: idToken }) };
      }
      return { body: { from: origin } };
    };
  const own = answers(justlogin.origin);
  justlogin.reply((request) =>
    request.url === redirected
      ? { status: 307, headers: { Location: elsewhere.origin + request.url }, body: '' }
      : own(request.url),
  );
  const other = answers(elsewhere.origin);
  elsewhere.reply((request) => other(request.url));
});
afterEach(async () => {
  await justlogin.stop();
  await elsewhere.stop();
});

const clientWith = (options: Partial<JustLoginClientOptions> = {}) =>
  new JustLoginClient({
    clientID: 'client-id',
    clientSecret: CLIENT_SECRET,
    baseURL: justlogin.origin,
    fetch: following,
    ...options,
  });

async function refusal(run: Promise<unknown>): Promise<Error> {
  const error = await run.then(
    () => new Error('expected a rejection'),
    (caught: unknown) => caught as Error,
  );
  expect(inspect(error, { depth: 5 })).not.toContain(CLIENT_SECRET);
  expect(inspect(error, { depth: 5 })).not.toContain('access-token-from');
  return error;
}

it.each<[string, string, (client: JustLoginClient) => Promise<unknown>]>([
  [
    'the token request',
    TOKEN_PATH,
    (client) => new JustLoginRefresher({ client }).refresh({ refreshToken: REFRESH_TOKEN }),
  ],
  ['the discovery document', DISCOVERY_PATH, (client) => client.metadata()],
  ['the keys', JWKS_PATH, (client) => new JustLoginRefresher({ client }).refresh({ refreshToken: REFRESH_TOKEN })],
  [
    'an API call',
    API_PATH,
    (client) =>
      new JustLoginApi({
        refresher: new JustLoginRefresher({ client }),
        tokens: { accessToken: 'access-token-api', tokenType: 'Bearer', expiresAt: Date.now() / 1000 + 3600 },
      }).request('GET', API_PATH),
  ],
])('refuses the answer to %s from the host a redirect led to', async (_case, path, run) => {
  redirected = path;
  const client = clientWith({ discovery: true, verifyIdTokenSignature: true });

  const error = await refusal(run(client));

  expect(elsewhere.requests.map((request) => request.url)).toContain(path); // the fetch did follow it
  expect(error).toMatchObject({ code: 'EREDIRECT', retryable: false });
  expect(error.message).toMatch(/redirect/);
});

describe('a fetch whose Response says it was redirected', () => {
  const answering =
    (fields: Partial<FetchResponseLike> & { url?: string; redirected?: boolean }): FetchLike =>
    () =>
      Promise.resolve({ status: 200, headers: new Headers(), body: null, ...fields });
  const send = (fetch: FetchLike) =>
    createTransport({ fetch }).send({
      endpoint: 'token endpoint',
      method: 'POST',
      url: new URL(justlogin.url),
      body: `client_secret=${CLIENT_SECRET}`,
      timeout: 1000,
      maxBytes: 1024,
    });

  it('is refused with redirected: true, or a url other than the one requested', async () => {
    for (const fields of [
      { redirected: true, url: justlogin.url },
      { redirected: false, url: `${elsewhere.url}` },
      { url: `${justlogin.url}?next=1` },
    ]) {
      expect(await refusal(send(answering(fields)))).toMatchObject({ code: 'EREDIRECT', retryable: false });
    }
  });

  it('is taken with the url requested, or none (a Response a wrapper built itself)', async () => {
    await expect(send(answering({ url: justlogin.url, redirected: false }))).resolves.toMatchObject({ status: 200 });
    await expect(send(answering({ url: '' }))).resolves.toMatchObject({ status: 200 });
  });
});
