import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, Redis } from 'ioredis';
import { createClient } from 'redis';
import {
  JustLoginOptionsError,
  JustLoginRefresher,
  JustLoginRequestError,
  JustLoginError,
  type JustLoginTokenSet,
} from '../../lib';
import { RedisRefreshCoordinator, type RedisClientLike, type RedisRefreshCoordinatorOptions } from '../../lib/redis';
import { startRedisCluster } from '../support/redis-cluster';
import { startRedis, type RunningRedis } from '../support/redis-server';
import { rotatingTokens } from '../support/rotating-tokens';
import { TokenServer, tokenResponse } from '../support/token-server';

// RedisRefreshCoordinator against real redis-server processes, through each client it takes:
// node-redis and ioredis on one server, and ioredis on a cluster of three masters. Each
// coordinator with its own client stands for one app instance.
const SECRET = 'refresh-coordinator-secret-6fQ2vN8pR4tX1zK7';
const OLD_REFRESH = 'refresh-token-old-Hq3Wd8';
const NEW_TOKENS: JustLoginTokenSet = {
  accessToken: 'access-token-new-Ys4Tb1',
  refreshToken: 'refresh-token-new-Lm7Pc2',
  idToken: 'id-token-new-Vx2Ke9',
  tokenType: 'Bearer',
  expiresIn: 3600,
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
};
const CLEAR_TEXT = [OLD_REFRESH, NEW_TOKENS.accessToken, NEW_TOKENS.refreshToken!, NEW_TOKENS.idToken!, SECRET];
const KEY = sha256(OLD_REFRESH);
const LOCK = `passport-justlogin:refresh:{${KEY}}:lock`;
const RESULT = `passport-justlogin:refresh:{${KEY}}:result`;

/** Where the keys live: one redis-server, or the masters of a cluster. */
interface Deployment {
  nodes: RunningRedis[];
  dump(): Promise<Map<string, string>>;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** A connected client of one library, as an app holds it. */
interface Connection {
  /** The library's client object itself: what the coordinator is given. */
  client: RedisClientLike;
  /** Every command the coordinator sent through `client`. */
  readonly commands: string[][];
  /** Sends a command for the test (not counted in `commands`). */
  command(...args: string[]): Promise<unknown>;
  ready(): boolean;
  close(): void;
}

interface ClientKind {
  name: string;
  deploy(): Promise<Deployment>;
  connect(deployment: Deployment): Promise<Connection>;
}

const singleServer = async (): Promise<Deployment> => {
  const server = await startRedis();
  return { ...server, nodes: [server] };
};

const address = (node: RunningRedis) => ({ host: '127.0.0.1', port: node.port });

const nodeRedis: ClientKind = {
  name: 'node-redis',
  deploy: singleServer,
  async connect({ nodes: [node] }) {
    const client = createClient({ url: node.url, socket: { reconnectStrategy: 50 } });
    client.on('error', () => {});
    await client.connect();
    const send = client.sendCommand.bind(client);
    const spy = jest.spyOn(client, 'sendCommand');
    return {
      client,
      get commands() {
        return spy.mock.calls.map(([args]) => args.map(String));
      },
      command: (...args) => send(args),
      ready: () => client.isReady,
      close: () => client.destroy(),
    };
  },
};

/** ioredis's `Redis` and `Cluster` connected, counted and closed the same way. */
async function ioredisConnection(client: Redis | Cluster): Promise<Connection> {
  client.on('error', () => {});
  await client.connect();
  const call = client.call.bind(client) as (...args: string[]) => Promise<unknown>;
  const spy = jest.spyOn(client, 'call');
  return {
    client,
    get commands() {
      return spy.mock.calls.map((args) => (args as unknown[]).map(String));
    },
    command: (...args) => call(...args),
    ready: () => client.status === 'ready',
    close: () => client.disconnect(),
  };
}

const ioredis: ClientKind = {
  name: 'ioredis',
  deploy: singleServer,
  connect: ({ nodes: [node] }) =>
    ioredisConnection(new Redis({ ...address(node), lazyConnect: true, retryStrategy: () => 50 })),
};

const ioredisCluster: ClientKind = {
  name: 'ioredis Cluster (three masters)',
  deploy: startRedisCluster,
  async connect({ nodes }) {
    const cluster = new Cluster(nodes.map(address), { lazyConnect: true, clusterRetryStrategy: () => 50 });
    const connection = await ioredisConnection(cluster);
    // Connected to every master, as in an app that has run a while: ioredis connects to a node at
    // its first command, and its status leaves 'ready' when every node it connected to is lost.
    await Promise.all(cluster.nodes('master').map((node) => node.ping()));
    return connection;
  },
};

const connections: Connection[] = [];
afterEach(() => {
  jest.restoreAllMocks();
  for (const connection of connections.splice(0)) connection.close();
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Runs `command` on every node, e.g. `FLUSHALL` or `CONFIG SET`. */
async function onEveryNode(deployment: Deployment, ...command: string[]): Promise<void> {
  for (const node of deployment.nodes) {
    const client = createClient({ url: node.url });
    await client.connect();
    try {
      await client.sendCommand(command);
    } finally {
      client.destroy();
    }
  }
}

/** A renewal that takes `ms` and counts its calls. */
function renewal(ms = 0, tokens = NEW_TOKENS) {
  const task = Object.assign(
    async () => {
      task.calls += 1;
      await sleep(ms);
      return tokens;
    },
    { calls: 0 },
  );
  return task;
}

/** Resolves once renewals that can wait go through Redis again on `a` (one takes a lock); fails after 5 s. */
async function coordinatedAgain(a: { coordinator: RedisRefreshCoordinator; commands: string[][] }): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (let attempt = 0; Date.now() < deadline; attempt += 1) {
    const key = sha256(`after-the-outage-${Date.now()}-${attempt}`);
    await a.coordinator.run(key, renewal(), { canWait: true }).catch(() => undefined); // put off until then
    const lock = `passport-justlogin:refresh:{${key}}:lock`;
    if (a.commands.some(([name, target]) => name === 'SET' && target === lock)) return;
    await sleep(50);
  }
  throw new Error('renewals did not go through Redis again within 5 s');
}

function expectNoClearText(stored: Map<string, string>): void {
  for (const [key, value] of stored) {
    expect(key).toMatch(/^passport-justlogin:refresh:\{[0-9a-f]{64}\}:(lock|result)$/);
    for (const secret of CLEAR_TEXT) expect(`${key} ${value}`).not.toContain(secret);
  }
}

describe.each([nodeRedis, ioredis, ioredisCluster])('with $name', (kind) => {
  let redis: Deployment;

  beforeAll(async () => {
    redis = await kind.deploy();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    await onEveryNode(redis, 'FLUSHALL');
  });

  /** One app instance: its own client and coordinator; `warnings` collects what it logs. */
  async function instance(
    options: {
      lockMs?: number;
      commandTimeoutMs?: number;
      outageWaitMs?: number;
      secret?: string;
      deployment?: Deployment;
    } = {},
  ) {
    const connection = await kind.connect(options.deployment ?? redis);
    connections.push(connection);
    const warnings: string[] = [];
    const coordinator = new RedisRefreshCoordinator({
      client: connection.client,
      secret: options.secret ?? SECRET,
      lockMs: options.lockMs,
      commandTimeoutMs: options.commandTimeoutMs,
      outageWaitMs: options.outageWaitMs ?? 300,
      logger: { warn: (message) => warnings.push(message) },
    });
    return Object.assign(connection, { coordinator, warnings });
  }

  it('sends one refresh request for 20 concurrent renewals on two instances', async () => {
    const server = await TokenServer.start();
    try {
      server.reply({ body: tokenResponse({ refresh_token: 'refresh-token-rotated-Jd2' }), delay: 100 });
      const [a, b] = [await instance(), await instance()];
      const options = { clientID: 'client-id', clientSecret: 'client-secret-Pw9', tokenURL: server.url };
      const refreshers = [a, b].map(({ coordinator }) => new JustLoginRefresher({ ...options, coordinator }));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => refreshers[i % 2].refresh({ refreshToken: OLD_REFRESH })),
      );
      expect(server.requests).toHaveLength(1);
      expect(new Set(results.map((tokens) => tokens.refreshToken))).toEqual(new Set(['refresh-token-rotated-Jd2']));
      // In each process one caller talks to Redis: one lock attempt per poll, never one per caller.
      const holder = [a, b].find(({ commands }) => commands.some(([name, key]) => name === 'SET' && key === RESULT))!;
      expect(holder.commands.filter(([name, key]) => name === 'SET' && key === LOCK)).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });

  it('reads an answer that came while its own process was busy: a slow process is not a Redis outage', async () => {
    const a = await instance({ commandTimeoutMs: 100 });
    const task = renewal();
    const running = a.coordinator.run(KEY, task);
    // Let the first command go out (ticks and promise jobs only: no answer is read before the loop's I/O phase).
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => process.nextTick(resolve));
    expect(a.commands.length).toBeGreaterThan(0);
    const busyUntil = Date.now() + 300; // this process busy for three command timeouts; Redis answers meanwhile
    while (Date.now() < busyUntil);
    await expect(running).resolves.toEqual(NEW_TOKENS);
    expect(task.calls).toBe(1);
    expect(a.warnings).toEqual([]);
  });

  it('publishes the result encrypted for 30 s; a late caller with the old refresh token gets it without renewing', async () => {
    const [a, b] = [await instance(), await instance()];
    await expect(a.coordinator.run(KEY, renewal())).resolves.toEqual(NEW_TOKENS);
    const stored = await redis.dump();
    expect([...stored.keys()]).toEqual([RESULT]);
    expectNoClearText(stored);
    const ttl = Number(await a.command('PTTL', RESULT));
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);

    const late = renewal();
    await expect(b.coordinator.run(KEY, late)).resolves.toEqual(NEW_TOKENS);
    expect(late.calls).toBe(0);

    const otherSecret = await instance({ secret: 'another-secret-of-32-characters-or-more' });
    const wouldSpend = renewal();
    const unreadable = await otherSecret.coordinator.run(KEY, wouldSpend).catch((error: unknown) => error);
    expect(unreadable).toBeInstanceOf(JustLoginRequestError);
    expect(unreadable).toMatchObject({ code: 'EDECRYPT', retryable: false, reauthenticate: false });
    expect(unreadable).toBeInstanceOf(JustLoginError);
    expect((unreadable as Error).message).toMatch(/could not be decrypted.*same `secret`/);
    expect(wouldSpend.calls).toBe(0);
  });

  it('keeps no token or secret in clear in Redis, and the lock and the result on one node', async () => {
    const a = await instance();
    let during: Map<string, string>[] = [];
    const task = async () => {
      during = await Promise.all(redis.nodes.map((node) => node.dump()));
      return NEW_TOKENS;
    };
    await a.coordinator.run(KEY, task);
    const after = await Promise.all(redis.nodes.map((node) => node.dump()));
    expect(during.flatMap((keys) => [...keys.keys()])).toEqual([LOCK]);
    // The hash tag `{<key>}` puts both keys in one slot: a cluster keeps them on one node.
    const node = during.findIndex((keys) => keys.has(LOCK));
    expect([...after[node].keys()]).toEqual([RESULT]);
    for (const keys of [...during, ...after]) expectNoClearText(keys);
  });

  it('takes over when the lock expires with no result (the holder died)', async () => {
    const a = await instance();
    await a.command('SET', LOCK, 'instance-that-died', 'PX', '300');
    const task = renewal();
    const started = Date.now();
    await expect(a.coordinator.run(KEY, task)).resolves.toEqual(NEW_TOKENS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(task.calls).toBe(1);
    expect(await a.command('EXISTS', LOCK)).toBe(0);
  });

  it('releases the lock when the renewal fails, so a waiting instance renews at once', async () => {
    const [a, b] = [await instance(), await instance()];
    const failure = Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' });
    const failing = async () => {
      await sleep(100);
      throw failure;
    };
    const first = a.coordinator.run(KEY, failing);
    await sleep(20);
    const second = renewal();
    const started = Date.now();
    const [outcomeA, outcomeB] = await Promise.allSettled([first, b.coordinator.run(KEY, second)]);
    expect(outcomeA).toEqual({ status: 'rejected', reason: failure });
    expect(outcomeB).toEqual({ status: 'fulfilled', value: NEW_TOKENS });
    expect(second.calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await a.command('EXISTS', LOCK)).toBe(0);
  });

  it('releases only its own lock', async () => {
    const a = await instance({ lockMs: 200 });
    const task = async () => {
      await sleep(300); // longer than the lock: it expired, another instance took it
      await a.command('SET', LOCK, 'another-instance', 'PX', '5000');
      return NEW_TOKENS;
    };
    await a.coordinator.run(KEY, task);
    expect(await a.command('GET', LOCK)).toBe('another-instance');
  });

  it('waits at most lockMs + 1 s for another instance, then fails with a retryable ETIMEDOUT', async () => {
    const a = await instance({ lockMs: 200 });
    await a.command('SET', LOCK, 'stuck-instance', 'PX', '10000');
    const task = renewal();
    const started = Date.now();
    await expect(a.coordinator.run(KEY, task)).rejects.toMatchObject({ code: 'ETIMEDOUT', retryable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_200);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(task.calls).toBe(0);
  });

  describe('when Redis is unreachable, renews in this process and warns once per outage', () => {
    it('the server is down: the client is not connected, and no command waits in its queue', async () => {
      const own = await kind.deploy();
      const a = await instance({ deployment: own });
      await own.stop();
      while (a.ready()) await sleep(10);
      const task = renewal(50);
      const results = await Promise.all([1, 2, 3].map(() => a.coordinator.run(KEY, task)));
      expect(results).toEqual([NEW_TOKENS, NEW_TOKENS, NEW_TOKENS]);
      await a.coordinator.run(sha256('another-refresh-token'), renewal());
      expect(task.calls).toBe(1);
      expect(a.commands).toEqual([]);
      expect(a.warnings).toHaveLength(1);
      expect(a.warnings[0]).toMatch(/^passport-justlogin: Redis is unavailable \(the client is not connected\);/);
      for (const secret of CLEAR_TEXT) expect(a.warnings[0]).not.toContain(secret);
    });

    it('requests with fresh tokens are unaffected: no command, no wait, no warning', async () => {
      const own = await kind.deploy();
      const server = await TokenServer.start();
      try {
        const a = await instance({ deployment: own, commandTimeoutMs: 5_000 });
        const options = { clientID: 'client-id', clientSecret: 'client-secret-Fr5', tokenURL: server.url };
        const refresher = new JustLoginRefresher({ ...options, coordinator: a.coordinator });
        const fresh: JustLoginTokenSet = { ...NEW_TOKENS, expiresAt: Math.floor(Date.now() / 1000) + 3600 };
        own.pause(); // a command would wait commandTimeoutMs
        const started = Date.now();
        const results = await Promise.all(Array.from({ length: 20 }, () => refresher.ensureFresh(fresh)));
        expect(Date.now() - started).toBeLessThan(1_000);
        for (const result of results) expect(result).toBe(fresh);
        expect(a.commands).toEqual([]);
        expect(a.warnings).toEqual([]);
        expect(server.requests).toEqual([]);
      } finally {
        own.resume();
        await own.stop();
        await server.stop();
      }
    });

    it('the server stops while this instance renews: it keeps the renewed tokens', async () => {
      const own = await kind.deploy();
      const a = await instance({ deployment: own });
      const task = async () => {
        await own.stop();
        while (a.ready()) await sleep(10);
        return NEW_TOKENS;
      };
      await expect(a.coordinator.run(KEY, task)).resolves.toEqual(NEW_TOKENS);
      expect(a.warnings).toEqual([expect.stringContaining('the client is not connected')]);
    });

    it('the server does not answer: one command waits commandTimeoutMs, then none until Redis answers again', async () => {
      const own = await kind.deploy();
      try {
        const a = await instance({ deployment: own, commandTimeoutMs: 200 });
        own.pause();
        const started = Date.now();
        const task = renewal();
        for (let i = 0; i < 10; i += 1) {
          const putOff = a.coordinator.run(sha256(`paused-${i}`), task, { canWait: true });
          await expect(putOff).rejects.toMatchObject({ code: 'ETIMEDOUT', retryable: true });
        }
        expect(Date.now() - started).toBeLessThan(600); // one wait of 200 ms, not ten
        expect(task.calls).toBe(0);
        expect(a.warnings).toEqual([expect.stringContaining('no answer within 200 ms')]);
        // One that cannot wait tries Redis itself, at most commandTimeoutMs, then renews here.
        const urgent = Date.now();
        await expect(a.coordinator.run(sha256('expired'), task)).resolves.toEqual(NEW_TOKENS);
        expect(Date.now() - urgent).toBeLessThan(600);
        expect(task.calls).toBe(1);
        expect(a.warnings).toHaveLength(1);

        own.resume();
        await coordinatedAgain(a); // without a restart
        own.pause(); // within 30 s of the last warning: the same outage, flapping
        await a.coordinator.run(sha256('paused-again'), renewal(), { canWait: true }).catch(() => undefined);
        expect(a.warnings).toHaveLength(1);
        own.resume();
        await coordinatedAgain(a);
        const now = Date.now.bind(Date);
        jest.spyOn(Date, 'now').mockImplementation(() => now() + 31_000);
        own.pause(); // 31 s later: another outage, another warning
        await a.coordinator.run(sha256('paused-later'), renewal(), { canWait: true }).catch(() => undefined);
        expect(a.warnings).toHaveLength(2);
      } finally {
        await own.stop();
      }
    });

    it('a renewal that can wait is put off, not run alone, and one that cannot runs here', async () => {
      const own = await kind.deploy();
      const a = await instance({ deployment: own });
      await own.stop();
      while (a.ready()) await sleep(10);
      const task = renewal();
      const putOff = await a.coordinator.run(KEY, task, { canWait: true }).catch((error: unknown) => error);
      expect(putOff).toBeInstanceOf(JustLoginRequestError);
      expect(putOff).toMatchObject({ code: 'ETIMEDOUT', retryable: true, reauthenticate: false });
      expect((putOff as Error).message).toMatch(/Redis is unavailable/);
      expect(task.calls).toBe(0);
      await expect(a.coordinator.run(KEY, task)).resolves.toEqual(NEW_TOKENS);
      expect(task.calls).toBe(1);
      expect(a.warnings).toHaveLength(1);
    });

    it('a renewal that cannot wait tries Redis itself, so it coordinates again as soon as Redis answers', async () => {
      const own = await kind.deploy();
      try {
        const [a, b] = [
          await instance({ deployment: own, commandTimeoutMs: 200 }),
          await instance({ deployment: own, commandTimeoutMs: 200 }),
        ];
        own.pause();
        await a.coordinator.run(sha256('while-paused'), renewal()); // a's first failure: renewals skip Redis
        own.resume();
        // Before a's next try in the background, both instances renew tokens that expired meanwhile.
        const task = renewal(100);
        const results = await Promise.all([a.coordinator.run(KEY, task), b.coordinator.run(KEY, task)]);
        expect(results).toEqual([NEW_TOKENS, NEW_TOKENS]);
        expect(task.calls).toBe(1);
        expect(a.warnings).toHaveLength(1);
      } finally {
        await own.stop();
      }
    });

    it('a renewal that cannot wait waits up to outageWaitMs for Redis rather than renew alone', async () => {
      const own = await kind.deploy();
      try {
        const options = { deployment: own, commandTimeoutMs: 200, outageWaitMs: 3_000 };
        const [a, b] = [await instance(options), await instance(options)];
        own.pause();
        const task = renewal(100);
        const first = a.coordinator.run(KEY, task); // expired tokens, Redis not answering
        await sleep(500);
        own.resume(); // back before outageWaitMs: a renews through Redis, or gets b's renewal
        const results = await Promise.all([first, b.coordinator.run(KEY, task)]);
        expect(results).toEqual([NEW_TOKENS, NEW_TOKENS]);
        expect(task.calls).toBe(1);

        own.pause(); // longer than outageWaitMs this time: renewed here in the end
        const alone = renewal();
        const started = Date.now();
        await expect(a.coordinator.run(sha256('outage-too-long'), alone)).resolves.toEqual(NEW_TOKENS);
        expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
        expect(alone.calls).toBe(1);
      } finally {
        await own.stop();
      }
    }, 15_000);

    it('publishes a renewal done alone during an outage once Redis answers, for instances that hold the spent token', async () => {
      const own = await kind.deploy();
      try {
        const [a, b] = [
          await instance({ deployment: own, commandTimeoutMs: 200 }),
          await instance({ deployment: own, commandTimeoutMs: 200 }),
        ];
        own.pause();
        await expect(a.coordinator.run(KEY, renewal())).resolves.toEqual(NEW_TOKENS); // alone, after outageWaitMs
        own.resume();
        await coordinatedAgain(a);
        for (let tries = 0; tries < 100 && !(await a.command('EXISTS', RESULT)); tries += 1) await sleep(50);
        const late = renewal(); // b's session still holds the refresh token a spent
        await expect(b.coordinator.run(KEY, late)).resolves.toEqual(NEW_TOKENS);
        expect(late.calls).toBe(0);
        expect(await a.command('EXISTS', LOCK)).toBe(0);
      } finally {
        await own.stop();
      }
    });

    it('releases, once Redis answers, a lock its put-off renewal took with a command that got no answer in time', async () => {
      const own = await kind.deploy();
      try {
        const a = await instance({ deployment: own, commandTimeoutMs: 200 });
        own.pause();
        const putOff = a.coordinator.run(KEY, renewal(), { canWait: true });
        await expect(putOff).rejects.toMatchObject({ code: 'ETIMEDOUT', retryable: true });
        own.resume(); // Redis carries the lock command out now: a lock nobody holds
        await coordinatedAgain(a);
        for (let tries = 0; tries < 100 && (await a.command('EXISTS', LOCK)) === 1; tries += 1) await sleep(50);
        expect(await a.command('EXISTS', LOCK)).toBe(0); // not left for lockMs, holding up the others
      } finally {
        await own.stop();
      }
    });

    it('never renews alone tokens that another instance is renewing when Redis stops answering', async () => {
      const own = await kind.deploy();
      try {
        const options = { deployment: own, commandTimeoutMs: 200, lockMs: 1_000 };
        const [a, b] = [await instance(options), await instance(options)];
        let finish!: () => void;
        const held = new Promise<void>((resolve) => (finish = resolve));
        const first = a.coordinator.run(KEY, async () => {
          await held;
          return NEW_TOKENS;
        });
        while (!(await a.command('EXISTS', LOCK))) await sleep(10);
        const task = renewal();
        const second = b.coordinator.run(KEY, task).catch((error: unknown) => error);
        while (!b.commands.some(([name, key]) => name === 'GET' && key === RESULT)) await sleep(10); // b waits for a
        own.pause();

        // b tries Redis until the lock would have expired (lockMs + 1 s), then gives up: retryable, nothing spent.
        expect(await second).toMatchObject({ code: 'ETIMEDOUT', retryable: true, reauthenticate: false });
        expect(task.calls).toBe(0);
        own.resume();
        finish();
        await expect(first).resolves.toEqual(NEW_TOKENS);
      } finally {
        await own.stop();
      }
    });

    it('a renewal waiting for another instance waits through a Redis that stops answering for a moment', async () => {
      const own = await kind.deploy();
      try {
        const options = { deployment: own, commandTimeoutMs: 200 };
        const [a, b] = [await instance(options), await instance(options)];
        let finish!: () => void;
        const held = new Promise<void>((resolve) => (finish = resolve));
        const first = a.coordinator.run(KEY, async () => {
          await held;
          return NEW_TOKENS;
        });
        while (!(await a.command('EXISTS', LOCK))) await sleep(10);
        const task = renewal();
        const second = b.coordinator.run(KEY, task); // expired tokens: it cannot be put off
        while (!b.commands.some(([name, key]) => name === 'GET' && key === RESULT)) await sleep(10);
        own.pause(); // longer than commandTimeoutMs: b's polls fail...
        await sleep(600);
        own.resume(); // ...then Redis answers again, and a publishes
        finish();
        await expect(Promise.all([first, second])).resolves.toEqual([NEW_TOKENS, NEW_TOKENS]);
        expect(task.calls).toBe(0);
      } finally {
        await own.stop();
      }
    });

    it('publishes a renewal that Redis refused once Redis takes writes again, so no other instance spends the token', async () => {
      const [a, b] = [await instance({ lockMs: 3_000 }), await instance({ lockMs: 3_000 })];
      const refusing = async () => {
        await onEveryNode(redis, 'CONFIG', 'SET', 'min-replicas-to-write', '1'); // writes fail: NOREPLICAS
        return NEW_TOKENS;
      };
      try {
        await expect(a.coordinator.run(KEY, refusing)).resolves.toEqual(NEW_TOKENS);
      } finally {
        await onEveryNode(redis, 'CONFIG', 'SET', 'min-replicas-to-write', '0');
      }
      expect(a.warnings).toEqual([expect.stringContaining('NOREPLICAS')]);

      const late = renewal(); // another instance, with the refresh token a spent
      await expect(b.coordinator.run(KEY, late)).resolves.toEqual(NEW_TOKENS);
      expect(late.calls).toBe(0);
      expect(await a.command('EXISTS', LOCK)).toBe(0);
    });

    it('the server answers with an error', async () => {
      const a = await instance();
      await onEveryNode(redis, 'CONFIG', 'SET', 'min-replicas-to-write', '1');
      try {
        await expect(a.coordinator.run(KEY, renewal())).resolves.toEqual(NEW_TOKENS);
        expect(a.warnings).toEqual([expect.stringContaining('NOREPLICAS')]);
      } finally {
        await onEveryNode(redis, 'CONFIG', 'SET', 'min-replicas-to-write', '0');
      }
    });
  });

  it('a refresher remembers a renewal it got from another instance after Redis has let it go', async () => {
    const server = await TokenServer.start();
    try {
      const rotation = rotatingTokens(OLD_REFRESH);
      server.reply(rotation.responder);
      const [a, b] = [await instance(), await instance()];
      const options = { clientID: 'client-id', clientSecret: 'client-secret-Pw9', tokenURL: server.url };
      const [one, two] = [a, b].map(({ coordinator }) => new JustLoginRefresher({ ...options, coordinator }));

      const renewed = await one.refresh({ refreshToken: OLD_REFRESH });
      await expect(two.refresh({ refreshToken: OLD_REFRESH })).resolves.toEqual(renewed);
      await onEveryNode(redis, 'FLUSHALL'); // the published result is gone (resultMs passed, or Redis restarted)

      await expect(two.refresh({ refreshToken: OLD_REFRESH })).resolves.toEqual(renewed);
      await expect(one.refresh({ refreshToken: OLD_REFRESH })).resolves.toEqual(renewed);
      expect(rotation).toMatchObject({ renewals: 1, refused: 0 });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});

/** A client shape the coordinator takes, that never answers: for the checks made before any command. */
const idleClient: RedisClientLike = { isReady: true, sendCommand: () => new Promise(() => {}) };

it('checks its options and its key', async () => {
  const make = (options: Record<string, unknown>) => () =>
    new RedisRefreshCoordinator({ client: idleClient, secret: SECRET, ...options });
  expect(make({ client: undefined })).toThrow(/`client`/);
  expect(make({ secret: 'too-short' })).toThrow(/`secret` must be at least 32 characters/);
  expect(make({ secret: 'a'.repeat(32) })).toThrow(/`secret` must .* at least 8 different ones; make one with node -e/);
  expect(make({ lockMs: 0 })).toThrow(/`lockMs`/);
  expect(make({ resultMs: 1.5 })).toThrow(/`resultMs`/);
  expect(make({ commandTimeoutMs: -1 })).toThrow(/`commandTimeoutMs`/);
  expect(make({ logger: {} })).toThrow(/`logger`/);
  await expect(make({})().run(OLD_REFRESH, renewal())).rejects.toThrow(/SHA-256/);
  await expect(make({})().run(OLD_REFRESH, renewal())).rejects.toMatchObject({ code: 'EBADOPTIONS' });
});

it('takes a client of either shape, and names both when given something else', () => {
  const make = (client: unknown) => () =>
    new RedisRefreshCoordinator({ client: client as RedisClientLike, secret: SECRET });
  expect(make({ isReady: false, sendCommand: () => Promise.resolve(null) })).not.toThrow();
  expect(make({ status: 'wait', call: () => Promise.resolve(null) })).not.toThrow();
  const problem =
    /`client` must be a node-redis client or sentinel client \(`isReady` and `sendCommand`\) or an ioredis client or cluster \(`status` and `call`\)/;
  // node-redis's cluster client has `sendCommand(firstKey, isReadonly, args)` and no `isReady`.
  expect(make({ isOpen: true, sendCommand: () => Promise.resolve(null) })).toThrow(problem);
  expect(make({ status: 'ready' })).toThrow(problem);
  expect(make('redis://127.0.0.1:6379')).toThrow(problem);
});

it('reports every bad option at once, with a did-you-mean for a misspelt one', () => {
  const options = { client: idleClient, secret: 'too-short', lockMS: 5_000, resultMs: 0, logger: {} };
  let error: unknown;
  try {
    new RedisRefreshCoordinator(options as unknown as RedisRefreshCoordinatorOptions);
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(JustLoginOptionsError);
  expect((error as JustLoginOptionsError).problems).toEqual([
    '`lockMS` is not an option; did you mean `lockMs`?',
    '`secret` must be at least 32 characters (bytes, for a Buffer) with at least 8 different ones; make one with ' +
      `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
    '`resultMs` must be a positive whole number of milliseconds (at most 2147483647)',
    '`logger` must have a method `warn`',
  ]);
  expect((error as Error).message).toMatch(/^passport-justlogin: RedisRefreshCoordinator options are invalid:\n- /);
  expect(() => new RedisRefreshCoordinator(null as unknown as RedisRefreshCoordinatorOptions)).toThrow(
    /^passport-justlogin: options must be an object, not null \(RedisRefreshCoordinator\) \(see https:\/\/\S+#ebadoptions\)$/,
  );
});

it('tells the refresher its lock lifetime, which must be longer than the refresh timeout', () => {
  const options = { clientID: 'client-id', clientSecret: 'client-secret-Pw9', tokenURL: 'http://127.0.0.1:1/token' };
  const coordinator = (lockMs?: number) => new RedisRefreshCoordinator({ client: idleClient, secret: SECRET, lockMs });

  expect(coordinator().lockMs).toBe(20_000);
  expect(coordinator(15_000).lockMs).toBe(15_000);
  expect(() => new JustLoginRefresher({ ...options, coordinator: coordinator(10_000) })).toThrow(
    /`lockMs` \(10000 ms\).*longer than.*`timeout` \(10000 ms\)/,
  );
  expect(() => new JustLoginRefresher({ ...options, coordinator: coordinator(5_000), timeout: 4_000 })).not.toThrow();
});

it('with ioredis Cluster, a master that stops answering costs one wait of commandTimeoutMs, until it answers again', async () => {
  const cluster = await startRedisCluster();
  try {
    const connection = await ioredisCluster.connect(cluster);
    connections.push(connection);
    const warnings: string[] = [];
    const coordinator = new RedisRefreshCoordinator({
      client: connection.client,
      secret: SECRET,
      commandTimeoutMs: 200,
      logger: { warn: (message) => warnings.push(message) },
    });
    await coordinator.run(KEY, renewal());
    const dumps = await Promise.all(cluster.nodes.map((node) => node.dump()));
    const holder = cluster.nodes[dumps.findIndex((keys) => keys.has(RESULT))];
    holder.pause();

    const task = renewal();
    const started = Date.now();
    for (let i = 0; i < 10; i += 1) {
      await expect(coordinator.run(KEY, task, { canWait: true })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    }
    expect(Date.now() - started).toBeLessThan(600); // one wait of 200 ms, not ten
    expect(task.calls).toBe(0);
    await expect(coordinator.run(KEY, task)).resolves.toEqual(NEW_TOKENS); // expired: renewed here
    expect(task.calls).toBe(1);
    expect(connection.ready()).toBe(true); // ioredis still calls the cluster ready
    expect(warnings).toEqual([expect.stringContaining('Redis is unavailable (no answer within 200 ms)')]);

    holder.resume();
    await coordinatedAgain(Object.assign(connection, { coordinator }));
    expect(warnings).toHaveLength(1);
  } finally {
    await cluster.stop();
  }
});
