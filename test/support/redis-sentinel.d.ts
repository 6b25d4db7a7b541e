// Types of test/support/redis-sentinel.js.

/** One redis-server of the set-up: killed and started again on the same port. */
export interface SentinelDataNode {
  port: number;
  /** redis://127.0.0.1:<port> */
  url: string;
  readonly running: boolean;
  /** Starts it (again) as a master, or as a replica of the node on port `replicaOf`. */
  start(replicaOf?: number): Promise<void>;
  /** SIGKILL, as a crash would; resolves once it is gone. */
  kill(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open, commands get no answer. */
  pause(): void;
  /** Lets a paused node go on (SIGCONT). */
  resume(): void;
}

export interface RunningRedisSentinel {
  /** The name the sentinels watch the master under: `mymaster`. */
  name: string;
  /** The sentinels' addresses, as node-redis's `createSentinel` and ioredis take them. */
  sentinels: Array<{ host: string; port: number }>;
  /** The master and the replica, in the order started (roles change with failovers). */
  nodes: SentinelDataNode[];
  /** The data node the sentinels call master now. */
  master(): Promise<SentinelDataNode>;
  /**
   * Kills the master and resolves with the replica once every sentinel names it master and it says
   * so itself; with `restart` (default), the old master is started again as its replica first.
   */
  failover(options?: { restart?: boolean }): Promise<SentinelDataNode>;
  /** Kills both data nodes (the sentinels stay), as when Redis itself is down. */
  killData(): Promise<void>;
  /** Starts both data nodes again after killData(): `master` first, then the other as its replica. */
  startData(master: SentinelDataNode): Promise<void>;
  /** Kills every process and deletes the set-up's files. */
  stop(): Promise<void>;
}

/**
 * Starts a master, a replica and `sentinels` redis-sentinel processes (default 3; a master is down
 * after `downAfterMs`, default 1000) on 127.0.0.1, and resolves once the sentinels know the replica
 * and each other. `persist`: every node writes each command to its append-only file before it
 * answers, so a node killed and started again keeps its data. Throws one line with the install
 * command when redis-server or redis-sentinel is missing, before starting anything.
 */
export function startRedisSentinel(options?: {
  sentinels?: number;
  downAfterMs?: number;
  persist?: boolean;
}): Promise<RunningRedisSentinel>;
