// Runs a Redis Cluster of three masters on free 127.0.0.1 ports, in memory only, for tests.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { freePort } from './free-port';
import { REDIS_CLI, REDIS_SERVER, requireProgram } from './programs';
import { startRedis, type RunningRedis } from './redis-server';
import { startAll } from './start-all';

const MASTERS = 3;
const CREATE_TIMEOUT_MS = 20_000;
const READY_TIMEOUT_MS = 20_000;

export interface RunningRedisCluster {
  /** The masters; each one's `dump()` shows the keys that node holds. */
  nodes: RunningRedis[];
  /** Every key of the cluster with its string value. */
  dump(): Promise<Map<string, string>>;
  /** Freezes every node (SIGSTOP): connections stay open, commands get no answer. */
  pause(): void;
  /** Lets the paused nodes go on (SIGCONT). */
  resume(): void;
  /** Stops every node (SIGKILL), as a crash would, and deletes the cluster's config files. */
  stop(): Promise<void>;
}

/**
 * Starts three redis-server nodes in cluster mode, joins them with `redis-cli --cluster create`
 * (all 16384 slots, no replicas) and waits until every node reports `cluster_state:ok`. Throws one
 * line with the install command when redis-server or redis-cli is not on PATH; a failed set-up
 * stops every node it started.
 */
export async function startRedisCluster(): Promise<RunningRedisCluster> {
  requireProgram(REDIS_SERVER);
  const cli = requireProgram(REDIS_CLI);
  const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
  let nodes: RunningRedis[] = [];
  const stop = async () => {
    await Promise.allSettled(nodes.map((node) => node.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    nodes = await startAll<RunningRedis[]>(
      Array.from({ length: MASTERS }, async (_, i) => {
        const bus = String(await freePort()); // the default, port + 10000, may be past 65535
        const config = join(dir, `nodes-${i}.conf`);
        return startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', config, '--cluster-port', bus]);
      }),
    );
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await promisify(execFile)(cli, ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: CREATE_TIMEOUT_MS,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(
        `redis-cli --cluster create failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`,
      );
    });
    await Promise.all(nodes.map(waitForClusterOk));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes,
    async dump() {
      const all = new Map<string, string>();
      for (const node of nodes) for (const [key, value] of await node.dump()) all.set(key, value);
      return all;
    },
    pause: () => nodes.forEach((node) => node.pause()),
    resume: () => nodes.forEach((node) => node.resume()),
    stop,
  };
}

async function waitForClusterOk(node: RunningRedis): Promise<void> {
  const client = createClient({ url: node.url });
  await client.connect();
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const info = await client.sendCommand<string>(['CLUSTER', 'INFO']);
      if (info.includes('cluster_state:ok')) return;
      if (Date.now() >= deadline) {
        throw new Error(`the cluster was not ready within ${READY_TIMEOUT_MS} ms on port ${node.port}:\n${info}`);
      }
      await sleep(50);
    }
  } finally {
    client.destroy();
  }
}
