import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { JustLoginRefresher, type JustLoginClientOptions, type JustLoginTokenSet } from '../../lib';
import { RedisRefreshCoordinator } from '../../lib/redis';
import { idTokenClaims } from '../support/id-token';
import { signIdToken, signingKey, type SigningKey } from '../support/keys';
import { startRedis, type RunningRedis } from '../support/redis-server';
import { rotatingTokens } from '../support/rotating-tokens';
import { TokenServer, type Reply } from '../support/token-server';

// Two instances share a real redis-server with a lock of 1.2 s and a timeout of 1 s, as in a
// tight deployment. JustLogin's discovery document and keys come from a server that holds every
// answer for as long as a renewal holds the lock: whatever a renewal still fetches under the lock
// outlives it, and the other instance spends the same refresh token again. Under the lock there
// must be the token request alone.
const SECRET = 'spent-once-coordinator-secret-Rk4Wq8Zt2Nv6';
const CLIENT_ID = 'client-id-spent-once';
const LOCK_MS = 1_200;
const TIMEOUT_MS = 1_000;
const DISCOVERY_PATH = '/v1/auth/.well-known/openid-configuration';
const JWKS_PATH = `${DISCOVERY_PATH}/jwks`;

let redis: RunningRedis;
let watcher: ReturnType<typeof createClient>;
let server: TokenServer;
let published: SigningKey[];
const closing: Array<() => void> = [];

beforeAll(async () => {
  redis = await startRedis();
  watcher = createClient({ url: redis.url });
  await watcher.connect();
});
afterAll(async () => {
  watcher?.destroy();
  await redis?.stop();
});
beforeEach(async () => {
  await watcher.flushAll();
  server = await TokenServer.start();
});
afterEach(async () => {
  for (const close of closing.splice(0)) close();
  await server.stop();
  jest.restoreAllMocks();
});

/** Resolves once no renewal holds a lock in Redis (or Redis is gone: the test is over). */
async function noLockHeld(): Promise<void> {
  const locks = () => watcher.keys('passport-justlogin:refresh:*:lock').catch(() => []);
  while ((await locks()).length > 0) await sleep(10);
}

/**
 * JustLogin on one origin: the token endpoint rotates refresh tokens (a spent one gets
 * invalid_grant) and signs id_tokens with `signer`; discovery and the keys answer only once no
 * lock is held.
 */
function serve(signer: () => SigningKey, firstRefreshToken: string) {
  const issuer = `${server.origin}/v1/auth`;
  const rotation = rotatingTokens(firstRefreshToken);
  const tokenEndpoint = rotation.responder;
  server.reply(async (request): Promise<Reply> => {
    if (request.url === DISCOVERY_PATH) {
      await noLockHeld();
      return { body: { issuer, jwks_uri: server.origin + JWKS_PATH, token_endpoint: server.url } };
    }
    if (request.url === JWKS_PATH) {
      await noLockHeld();
      return { body: { keys: published.map((key) => key.jwk) } };
    }
    const reply = await tokenEndpoint(request);
    if (typeof reply !== 'object' || reply.status) return reply;
    const idToken = await signIdToken(idTokenClaims(CLIENT_ID, { iss: issuer }), signer());
    return { ...reply, body: { ...(reply.body as object), id_token: idToken } };
  });
  return rotation;
}

/** One app instance: its own Redis connection, coordinator and client. */
async function instance(options: Partial<JustLoginClientOptions>): Promise<JustLoginRefresher> {
  const client = createClient({ url: redis.url });
  client.on('error', () => {});
  await client.connect();
  closing.push(() => client.destroy());
  const coordinator = new RedisRefreshCoordinator({ client, secret: SECRET, lockMs: LOCK_MS });
  return new JustLoginRefresher({
    clientID: CLIENT_ID,
    clientSecret: 'client-secret-spent-once',
    baseURL: server.origin,
    timeout: TIMEOUT_MS,
    coordinator,
    ...options,
  });
}

const refreshRequests = (refreshToken: string) =>
  server.requests.filter((request) => request.form.refresh_token === refreshToken).length;

describe.each([
  ['discovery and signature checks', { discovery: true, verifyIdTokenSignature: true }],
  ['signature checks alone', { verifyIdTokenSignature: true }],
])('with %s, a lock of 1.2 s and a timeout of 1 s', (_case, options) => {
  it('spends the refresh token once for renewals on two instances, however slow discovery and the keys are', async () => {
    const key = await signingKey('key-1');
    published = [key];
    const rotation = serve(() => key, 'refresh-token-first');
    const [a, b] = [await instance(options), await instance(options)];

    const results = await Promise.allSettled([
      a.refresh({ refreshToken: 'refresh-token-first' }),
      b.refresh({ refreshToken: 'refresh-token-first' }),
    ]);

    expect(refreshRequests('refresh-token-first')).toBe(1);
    expect(rotation).toMatchObject({ renewals: 1, refused: 0 });
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    const [first, second] = results.map((result) => (result as PromiseFulfilledResult<JustLoginTokenSet>).value);
    expect(first).toMatchObject({ refreshToken: 'refresh-token-rotated-1' });
    expect(second).toEqual(first);
  });

  it('spends it once when the id_token is signed with a key published after the keys were fetched', async () => {
    // The keys are fetched before the lock is taken; JustLogin then signs with a key it has just
    // published. The check fetches the keys again, once the renewal is published and the lock
    // released: the other instance takes the published tokens instead of renewing.
    const [before, after] = [await signingKey('key-1'), await signingKey('key-2')];
    published = [before];
    let signer = before;
    const rotation = serve(() => signer, 'refresh-token-first');
    const [a, b] = [await instance(options), await instance(options)];
    await a.refresh({ refreshToken: 'refresh-token-first' });
    await b.refresh({ refreshToken: 'refresh-token-first' });
    const now = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => now() + 31_000); // past the 30 s between two fetches of the keys
    published = [before, after];
    signer = after;
    const keysFetched = server.requests.filter((request) => request.url === JWKS_PATH).length;

    const results = await Promise.allSettled([
      a.refresh({ refreshToken: 'refresh-token-rotated-1' }),
      b.refresh({ refreshToken: 'refresh-token-rotated-1' }),
    ]);

    expect(refreshRequests('refresh-token-rotated-1')).toBe(1);
    expect(rotation).toMatchObject({ renewals: 2, refused: 0 });
    expect(server.requests.filter((request) => request.url === JWKS_PATH)).toHaveLength(keysFetched + 2);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    const [first, second] = results.map((result) => (result as PromiseFulfilledResult<JustLoginTokenSet>).value);
    expect(first).toMatchObject({ refreshToken: 'refresh-token-rotated-2' });
    expect(second).toEqual(first);
  });
});
