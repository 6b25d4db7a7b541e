// Runs Redis as people run it for high availability, on 127.0.0.1, for the tests and the soak: a
// master, a replica and redis-sentinel processes watching them under the name `mymaster`. Plain
// JavaScript, so that bench/soak.js can use it as well as the tests.
const { spawn } = require('node:child_process');
const { mkdtemp, mkdir, rm, writeFile } = require('node:fs/promises');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { createInterface } = require('node:readline');
const { setTimeout: sleep } = require('node:timers/promises');
const { createClient } = require('redis');
const { REDIS_SENTINEL, REDIS_SERVER, requireProgram } = require('./programs');

const NAME = 'mymaster';
const START_TIMEOUT_MS = 10_000;
const SETTLE_TIMEOUT_MS = 30_000;
const POLL_MS = 50;

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Spawns `command args`; resolves with the child once a line of its output contains `ready`. */
function spawnReady(command, args, ready) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  return new Promise((resolve, reject) => {
    const fail = (reason) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${command} ${reason}:\n${output.slice(-20).join('\n')}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('error', (err) => fail(`could not be started (${err.message})`));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before it was ready`));
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      if (!line.includes(ready)) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      resolve(child);
    });
  });
}

/** SIGKILL (as a crash would), after SIGCONT in case it was paused; resolves once it is gone. */
function kill(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGCONT');
  child.kill('SIGKILL');
  return exited;
}

/** Sends one command to 127.0.0.1:`port` on a connection of its own; rejects when nothing answers. */
async function ask(port, ...command) {
  const client = createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 1_000, reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.sendCommand(command);
  } finally {
    client.destroy();
  }
}

/**
 * Resolves once `check()` resolves truthy (errors count as not yet); rejects after `timeoutMs` saying
 * `what`, and what `state()` (if given) tells of the nodes then.
 */
async function until(what, check, timeoutMs = SETTLE_TIMEOUT_MS, state = async () => '') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() >= deadline) {
      const seen = await state().catch((error) => error.message);
      throw new Error(`redis-sentinel set-up: ${what} within ${timeoutMs} ms${seen ? `\n${seen}` : ''}`);
    }
    await sleep(POLL_MS);
  }
}

/**
 * Starts a master and a replica (redis-server) and `sentinels` redis-sentinel processes (default 3,
 * quorum 2, a master is down after `downAfterMs`, default 1000) and resolves once the sentinels know
 * the replica and each other, so that killing the master promotes the replica. With `persist`, every
 * node writes each command to its append-only file before it answers (`appendfsync always`), so a
 * node that is killed and started again keeps its data. Throws one line with the install command
 * when redis-server or redis-sentinel is not on PATH, before starting anything; a failed set-up
 * stops what it started.
 */
async function startRedisSentinel({ sentinels: count = 3, downAfterMs = 1_000, persist = false } = {}) {
  const server = requireProgram(REDIS_SERVER);
  const sentinel = requireProgram(REDIS_SENTINEL);
  const dir = await mkdtemp(join(tmpdir(), 'redis-sentinel-'));
  const nodes = [];
  const sentinelChildren = [];
  const stop = async () => {
    await Promise.all([...nodes.map((node) => node.kill()), ...sentinelChildren.map(kill)]);
    await rm(dir, { recursive: true, force: true });
  };

  /** One redis-server that may be killed and started again on its port, as master or as replica. */
  async function dataNode(index) {
    const port = await freePort();
    const nodeDir = join(dir, `node-${index}`);
    await mkdir(nodeDir);
    let child;
    const node = {
      port,
      url: `redis://127.0.0.1:${port}`,
      get running() {
        return child !== undefined && child.exitCode === null && child.signalCode === null;
      },
      /** Starts it (again) as a master, or as a replica of the node on port `replicaOf`. */
      async start(replicaOf) {
        const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir, '--save', ''];
        args.push('--appendonly', persist ? 'yes' : 'no', '--appendfsync', 'always', '--repl-diskless-sync-delay', '0');
        if (replicaOf !== undefined) args.push('--replicaof', '127.0.0.1', String(replicaOf));
        child = await spawnReady(server, args, 'Ready to accept connections');
      },
      kill: () => kill(child),
      pause: () => child?.kill('SIGSTOP'),
      resume: () => child?.kill('SIGCONT'),
    };
    return node;
  }

  const masterPort = () =>
    ask(sentinelPorts[0], 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME).then(([, p]) => Number(p));
  const roleOf = (node) => ask(node.port, 'ROLE').then(([role]) => role);
  /** How many replicas of `node` are in sync (online), not merely connected. */
  const linkedReplicas = (node) =>
    ask(node.port, 'INFO', 'replication').then((info) => (info.match(/^slave\d+:.*state=online/gm) ?? []).length);

  const sentinelPorts = [];
  try {
    nodes.push(await dataNode(0), await dataNode(1));
    await nodes[0].start();
    await nodes[1].start(nodes[0].port);
    await until('the replica did not catch up with the master', async () => (await linkedReplicas(nodes[0])) === 1);
    for (let i = 0; i < count; i += 1) {
      const port = await freePort();
      const config = join(dir, `sentinel-${i}.conf`);
      await writeFile(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${NAME} 127.0.0.1 ${nodes[0].port} ${Math.floor(count / 2) + 1}`,
          `sentinel down-after-milliseconds ${NAME} ${downAfterMs}`,
          `sentinel failover-timeout ${NAME} ${Math.max(3 * downAfterMs, 3_000)}`,
          `sentinel parallel-syncs ${NAME} 1`,
          '',
        ].join('\n'),
      );
      sentinelChildren.push(await spawnReady(sentinel, [config], '+monitor master'));
      sentinelPorts.push(port);
    }
    await until('the sentinels did not find the replica and each other', async () => {
      for (const port of sentinelPorts) {
        const replicas = await ask(port, 'SENTINEL', 'REPLICAS', NAME);
        const peers = await ask(port, 'SENTINEL', 'SENTINELS', NAME);
        if (replicas.length !== 1 || peers.length !== count - 1) return false;
      }
      return true;
    });
  } catch (error) {
    await stop();
    throw error;
  }

  const nodeOn = (port) => nodes.find((node) => node.port === port);
  /** Each node's replication section, in one line each, for an error message. */
  const replication = async () => {
    const lines = await Promise.all(
      nodes.map((node) =>
        ask(node.port, 'INFO', 'replication').then(
          (info) =>
            `${node.port}: ${info
              .split('\r\n')
              .filter((line) => /^(role|master_|slave\d)/.test(line))
              .join(' ')}`,
          (error) => `${node.port}: ${error.message}`,
        ),
      ),
    );
    return lines.join('\n');
  };

  return {
    name: NAME,
    /** The sentinels' addresses, as both clients take them. */
    sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
    nodes,
    /** The data node the sentinels call master now. */
    master: async () => nodeOn(await masterPort()),
    /**
     * Kills the master and resolves once the sentinels name the replica master and it says so
     * itself; with `restart`, the old master is then started again and resolves once it has become
     * the new master's replica.
     */
    async failover({ restart = true } = {}) {
      const old = nodeOn(await masterPort());
      const next = nodes.find((node) => node !== old);
      await old.kill();
      await until('the sentinels did not promote the replica', async () => {
        for (const port of sentinelPorts) {
          const [, p] = await ask(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME);
          if (Number(p) !== next.port) return false;
        }
        return (await roleOf(next)) === 'master';
      });
      if (restart) {
        await old.start(next.port);
        await until(
          'the old master did not become a replica',
          async () => (await linkedReplicas(next)) === 1,
          SETTLE_TIMEOUT_MS,
          replication,
        );
      }
      return next;
    },
    /** Kills both data nodes (the sentinels stay), as when Redis itself is down. */
    async killData() {
      await Promise.all(nodes.map((node) => node.kill()));
    },
    /** Starts both data nodes again after killData(): the master first, then its replica. */
    async startData(master) {
      const replica = nodes.find((node) => node !== master);
      await master.start();
      await replica.start(master.port);
      await until('the replica did not catch up again', async () => (await linkedReplicas(master)) === 1);
    },
    stop,
  };
}

module.exports = { startRedisSentinel };
