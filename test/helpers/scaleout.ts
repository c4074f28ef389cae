// Scale-out tests: several in-process signaling servers (different ports) sharing one real
// redis-server, as several processes behind a load balancer would. Each cluster gets its own key
// prefix, so tests sharing a redis-server never see each other's state.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { SignalingServerOptions } from '../../signaling/index.js';
import { stopAllProcesses } from './processes.js';
import { startRedis, type RedisServer } from './redis.js';
import { startTestServer, type TestServer } from './server.js';

/** Small timings so failure detection fits in a test; generous enough for a busy 2-core box. */
export const FAST_SCALE_OUT = { heartbeatMs: 250, ttlMs: 1500 } as const;

export interface Cluster {
  nodes: TestServer[];
  /** The key prefix of this cluster (also given to extra nodes started with `add`). */
  keyPrefix: string;
  /** Starts one more node of the same cluster. */
  add(opts?: Partial<SignalingServerOptions>): Promise<TestServer>;
  /** Closes every node still open (idempotent per node). */
  close(): Promise<void>;
}

export async function startCluster(
  redisUrl: string,
  count: number,
  opts: Partial<SignalingServerOptions> = {},
): Promise<Cluster> {
  const keyPrefix = `t${randomUUID().slice(0, 8)}:`;
  const nodes: TestServer[] = [];
  const closed = new Set<TestServer>();
  const add = async (extra: Partial<SignalingServerOptions> = {}): Promise<TestServer> => {
    const node = await startTestServer({
      dropGraceMs: 1000,
      ...opts,
      ...extra,
      redis: redisUrl,
      scaleOut: { ...FAST_SCALE_OUT, keyPrefix, ...opts.scaleOut, ...extra.scaleOut },
    });
    const close = node.close.bind(node);
    node.close = async () => {
      if (closed.has(node)) return;
      closed.add(node);
      await close();
    };
    nodes.push(node);
    return node;
  };
  try {
    for (let i = 0; i < count; i++) await add();
  } catch (e) {
    await Promise.all(nodes.map((n) => n.close()));
    throw e;
  }
  return {
    nodes,
    keyPrefix,
    add,
    close: async () => {
      await Promise.all(nodes.map((n) => n.close()));
    },
  };
}

/**
 * The hooks of a scale-out test file: one real redis-server for the whole file, and every
 * cluster started through `start` closed after its test. After each test a frozen (SIGSTOP) Redis
 * is woken, `cleanup` runs (e.g. destroying the engines connected to the cluster), the clusters
 * close, and Redis is running again for the next test even if the test killed it.
 */
export function useRedisClusters(cleanup?: () => void | Promise<void>): {
  redis(): RedisServer;
  start(count: number, opts?: Partial<SignalingServerOptions>): Promise<Cluster>;
} {
  let redis: RedisServer | undefined;
  const open: Cluster[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    await stopAllProcesses();
  });
  afterEach(async () => {
    // A test that failed while Redis was frozen must not leave the closes below waiting on it.
    try {
      if (redis) process.kill(redis.pid, 'SIGCONT');
    } catch {
      // not running: start() below brings it back
    }
    await cleanup?.();
    for (const c of open.splice(0)) await c.close();
    await redis?.start();
  });
  return {
    redis: () => redis!,
    start: async (count, opts) => {
      const c = await startCluster(redis!.url, count, opts);
      open.push(c);
      return c;
    },
  };
}
