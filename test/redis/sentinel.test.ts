import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createSentinel } from 'redis';
import { JustLoginRefresher, type JustLoginTokenSet } from '../../lib';
import { RedisRefreshCoordinator, type RedisClientLike } from '../../lib/redis';
import { startRedisSentinel, type RunningRedisSentinel } from '../support/redis-sentinel';
import { rotatingTokens } from '../support/rotating-tokens';
import { TokenServer, type RecordedRequest } from '../support/token-server';

// RedisRefreshCoordinator on Redis as people run it for high availability: a master, a replica and
// three redis-sentinel processes on 127.0.0.1, reached through node-redis's sentinel client
// (`createSentinel`) and through ioredis in Sentinel mode. Each coordinator with its own client
// stands for one app instance.
const SECRET = 'sentinel-coordinator-secret-Tq7Wz2Lm9Rx4';
const FIRST_REFRESH = 'refresh-token-first-Sn4';
const SECOND_FIRST_REFRESH = 'refresh-token-first-Fo6'; // another test, another refresh token: Redis keeps results

interface SentinelKind {
  name: string;
  connect(deployment: RunningRedisSentinel): Promise<{ client: RedisClientLike; close(): Promise<void> | void }>;
}

const nodeRedisSentinel: SentinelKind = {
  name: "node-redis's createSentinel",
  async connect({ name, sentinels }) {
    const client = createSentinel({ name, sentinelRootNodes: sentinels });
    client.on('error', () => {});
    await client.connect();
    return { client, close: () => client.destroy() };
  },
};

const ioredisSentinel: SentinelKind = {
  name: 'ioredis in Sentinel mode',
  async connect({ name, sentinels }) {
    const client = new Redis({ name, sentinels, lazyConnect: true, retryStrategy: () => 50 });
    client.on('error', () => {});
    await client.connect();
    return { client, close: () => client.disconnect() };
  },
};

/** The rotating endpoint's answer to `request`, as an object a delay can be added to. */
async function answer(rotation: ReturnType<typeof rotatingTokens>, request: RecordedRequest) {
  const reply = await rotation.responder(request);
  if (typeof reply !== 'object') throw new Error('the rotating endpoint answers with an object');
  return reply;
}

describe.each([nodeRedisSentinel, ioredisSentinel])('with $name', (kind) => {
  let redis: RunningRedisSentinel;
  let server: TokenServer;
  const closing: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    redis = await startRedisSentinel();
  }, 60_000);
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    server = await TokenServer.start();
  });
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
    await server.stop();
  });

  /** One app instance: its own sentinel client, coordinator and refresher; `warnings` collects what it logs. */
  async function instance() {
    const connection = await kind.connect(redis);
    const { client } = connection;
    closing.push(() => connection.close());
    const warnings: string[] = [];
    const coordinator = new RedisRefreshCoordinator({
      client,
      secret: SECRET,
      logger: { warn: (message) => warnings.push(message) },
    });
    const refresher = new JustLoginRefresher({
      clientID: 'client-id',
      clientSecret: 'client-secret-Sn8',
      tokenURL: server.url,
      coordinator,
    });
    return { refresher, warnings };
  }

  const presented = (refreshToken: string) =>
    server.requests.filter((request) => request.form.refresh_token === refreshToken).length;

  it('sends one refresh request for 10 renewals of one refresh token on two instances', async () => {
    const rotation = rotatingTokens(FIRST_REFRESH);
    server.reply(async (request) => ({ ...(await answer(rotation, request)), delay: 100 }));
    const [a, b] = [await instance(), await instance()];

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => [a, b][i % 2].refresher.refresh({ refreshToken: FIRST_REFRESH })),
    );

    expect(results.map((result) => result.status)).toEqual(Array(10).fill('fulfilled'));
    expect(rotation).toMatchObject({ renewals: 1, refused: 0 });
    expect(server.requests).toHaveLength(1);
    expect([...a.warnings, ...b.warnings]).toEqual([]);
  });

  it('spends each refresh token once while the sentinels fail the master over', async () => {
    const rotation = rotatingTokens(SECOND_FIRST_REFRESH);
    server.reply(async (request) => ({ ...(await answer(rotation, request)), delay: 20 }));
    const [a, b] = [await instance(), await instance()];
    // Due for renewal (within the default minute before expiry) but still valid for 30 s.
    const due = (refreshToken: string): JustLoginTokenSet => ({
      accessToken: `access-for-${refreshToken}`,
      refreshToken,
      tokenType: 'Bearer',
      expiresAt: Math.floor(Date.now() / 1000) + 30,
    });

    let current = SECOND_FIRST_REFRESH;
    const spent: string[] = [];
    /** Four renewals of the current tokens at once, two on each instance; the newest refresh token seen goes on. */
    const rotate = async () => {
      const tokens = due(current);
      const results = await Promise.all(
        [a, b, a, b].map(({ refresher }) => refresher.ensureFresh(tokens).catch((error: unknown) => error)),
      );
      for (const result of results) expect(result).toMatchObject({ refreshToken: expect.any(String) });
      const renewed = (results as JustLoginTokenSet[]).find((result) => result.refreshToken !== current);
      if (renewed) {
        spent.push(current);
        current = renewed.refreshToken!;
      }
    };

    await rotate();
    let failedOver = false;
    const failover = redis.failover().finally(() => (failedOver = true));
    failover.catch(() => {}); // awaited below, unless a rotation fails first
    while (!failedOver) {
      await rotate();
      await sleep(20);
    }
    await failover;
    // Coordination resumes on the new master without a restart: two more rotations, each spent once. A lock
    // whose release the old master took but did not pass on before it died is on the new master until it
    // expires (lockMs, 20 s): meanwhile renewals of those tokens wait, and none is spent twice.
    const before = spent.length;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && spent.length < before + 2;) {
      await rotate();
      await sleep(20);
    }
    expect(spent.length).toBeGreaterThanOrEqual(before + 2);
    expect(rotation.refused).toBe(0);
    expect(spent.map(presented)).toEqual(spent.map(() => 1));
    expect(presented(current)).toBe(0);
  }, 90_000);
});
