// What signing out keeps in Redis, against a real redis-server, each object with its own client as an
// app instance holds one: the coordinator forgets a published renewal and claims logout token ids
// once for every instance; RedisSessionIndex finds the sessions a sign-in made, whichever instance
// made them. With Redis gone, nothing fails that must not.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { JustLoginRefresher, type JustLoginTokenSet } from '../../lib';
import { RedisRefreshCoordinator, RedisSessionIndex } from '../../lib/redis';
import { startRedis, type RunningRedis } from '../support/redis-server';

const SECRET = 'sign-out-coordinator-secret-6fQ2vN8pR4tX1zK7';
let redis: RunningRedis;
const clients: Array<{ destroy?: () => void; disconnect?: () => void }> = [];
const quiet = { warn: jest.fn() };

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const client of clients) {
    try {
      client.destroy?.();
      client.disconnect?.();
    } catch {
      // closed by the test already
    }
  }
  await redis?.stop();
});
beforeEach(() => quiet.warn.mockClear());

async function nodeRedis() {
  const client = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

async function ioredis() {
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('RedisRefreshCoordinator at sign-out', () => {
  it("forgets the renewal it published, so no instance hands out a signed-out user's tokens", async () => {
    const coordinator = new RedisRefreshCoordinator({ client: await nodeRedis(), secret: SECRET, logger: quiet });
    const spent = 'refresh-token-spent-Hq3Wd8';
    const renewed: JustLoginTokenSet = { accessToken: 'access-new', refreshToken: 'refresh-new', tokenType: 'Bearer' };
    await coordinator.run(sha256(spent), () => Promise.resolve(renewed));
    const result = `passport-justlogin:refresh:{${sha256(spent)}}:result`;
    expect((await redis.dump()).has(result)).toBe(true);
    const refresher = new JustLoginRefresher({ clientID: 'client-abc', clientSecret: 'secret-xyz', coordinator });
    await refresher.forget(spent);
    expect((await redis.dump()).has(result)).toBe(false);
  });

  it.each([
    ['node-redis', nodeRedis],
    ['ioredis', ioredis],
  ])('claims a logout token id once across instances (%s), for the ttl', async (_name, connect) => {
    const a = new RedisRefreshCoordinator({ client: await connect(), secret: SECRET, logger: quiet });
    const b = new RedisRefreshCoordinator({ client: await connect(), secret: SECRET, logger: quiet });
    const id = sha256(`jti-${_name}`);
    expect(await a.claim(id, 60_000)).toBe(true);
    expect(await b.claim(id, 60_000)).toBe(false);
    expect(await a.claim(id, 60_000)).toBe(false);
    const keys = [...(await redis.dump()).keys()].filter((key) => key.includes(id));
    expect(keys).toEqual([`passport-justlogin:refresh:logout:{${id}}`]);
  });

  it('claims in this process while Redis is unavailable, and warns once', async () => {
    const client = await nodeRedis();
    const coordinator = new RedisRefreshCoordinator({ client, secret: SECRET, logger: quiet });
    client.destroy();
    const id = sha256('jti-while-down');
    expect(await coordinator.claim(id, 60_000)).toBe(true);
    expect(await coordinator.claim(id, 60_000)).toBe(false);
    expect(quiet.warn).toHaveBeenCalledTimes(1);
    await expect(coordinator.forget(sha256('anything'))).resolves.toBeUndefined();
  });
});

describe('RedisSessionIndex', () => {
  it('finds the sessions of a JustLogin session, or of a user, whichever instance indexed them', async () => {
    const a = new RedisSessionIndex({ client: await nodeRedis(), logger: quiet });
    const b = new RedisSessionIndex({ client: await ioredis(), logger: quiet });
    await a.add('app-session-1', { sub: 'alice', sid: 'sid-1' });
    await b.add('app-session-2', { sub: 'alice', sid: 'sid-1' });
    await b.add('app-session-3', { sub: 'alice', sid: 'sid-2' });
    await a.add('app-session-4', { sub: 'bob', sid: 'sid-3' });
    expect((await b.take({ sid: 'sid-1', sub: 'alice' })).sort()).toEqual(['app-session-1', 'app-session-2']);
    expect(await a.take({ sid: 'sid-1' })).toEqual([]);
    expect(await a.take({ sub: 'alice' })).toEqual(['app-session-3']);
    expect(await b.take({ sub: 'bob' })).toEqual(['app-session-4']);
    expect(await b.take({ sid: 'sid-3' })).toEqual([]);
  });

  it('forgets a session removed at sign-out, keeps no sid or sub in clear, and lets every key expire', async () => {
    const index = new RedisSessionIndex({ client: await nodeRedis(), ttlMs: 60_000, prefix: 'test-index:' });
    await index.add('app-session-9', { sub: 'carol-sub', sid: 'carol-sid' });
    await index.add('app-session-10', { sub: 'carol-sub', sid: 'carol-sid' });
    await index.remove('app-session-9');
    const client = await nodeRedis();
    const keys = await client.keys('test-index:*');
    expect(keys.join(' ')).not.toMatch(/carol/);
    for (const key of keys) {
      const ttl = await client.pTTL(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    expect(await index.take({ sid: 'carol-sid' })).toEqual(['app-session-10']);
    expect(await client.keys('test-index:*')).toEqual([]);
  });

  it('does not fail a sign-in or a sign-out while Redis is unavailable, but fails a logout so JustLogin hears of it', async () => {
    const client = await nodeRedis();
    const index = new RedisSessionIndex({ client, logger: quiet });
    client.destroy();
    await expect(index.add('app-session-11', { sub: 'dave' })).resolves.toBeUndefined();
    await expect(index.remove('app-session-11')).resolves.toBeUndefined();
    await expect(index.take({ sub: 'dave' })).rejects.toThrow(/Redis is unavailable/);
    expect(quiet.warn).toHaveBeenCalledTimes(1);
    expect(quiet.warn.mock.calls[0][0]).toMatch(/sign-ins are not indexed for back-channel logout/);
  });

  it('refuses a sign-in without its user, naming what is missing', async () => {
    const index = new RedisSessionIndex({ client: await nodeRedis(), logger: quiet });
    await expect(index.add('app-session-12', { sid: 'only-a-sid' })).rejects.toThrow(/must name its user \(`sub`\)/);
    await expect(index.add('', { sub: 'erin' })).rejects.toThrow(/`sessionID` must be a non-empty string/);
  });
});
