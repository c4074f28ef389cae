// Scale-out with Redis (SPEC §11): what createSignalingServer needs when `redis` is set — the
// shared RedisStore, the socket.io Redis Streams adapter that routes every emit to the process
// holding the target socket, the per-uid cluster lock, the publish tracker behind
// ctx.deliver, and the heartbeat (cluster-node.ts). Without `redis` none of this is loaded.
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Logger } from 'pino';
import type { ServerContext, SignalingIo } from '../context.js';
import type { ScaleOutOptions } from '../options.js';
import { RedisStore } from '../store/redis/redis-store.js';
import { ClusterLock } from './cluster-lock.js';
import { ClusterNode } from './cluster-node.js';
import { PublishTracker } from './publish-tracker.js';
import { redactRedisUrl } from './redact.js';
import { connectRedis, RECONNECT_DELAY_CAP_MS } from './redis-clients.js';

/** Entries kept in the adapter's stream (approximate trimming); each is one emit. */
const STREAM_MAX_LEN = 10_000;

export interface ScaleOut {
  store: RedisStore;
  /** For `new Server(…, { adapter })`. */
  adapter: ReturnType<typeof createAdapter>;
  lock: ClusterLock;
  deliver(emit: () => void): Promise<boolean>;
  /** See ServerContext.degraded. */
  degraded(): boolean;
  /** Hooks the adapter of `io` and starts the heartbeat, once the server context exists. */
  attach(ctx: ServerContext, io: SignalingIo): void;
  /** Heartbeat for tests: runs one now. */
  heartbeat(): Promise<void>;
  /** Stops the heartbeat, marks this process gone, closes every Redis connection. Call after io.close(). */
  close(): Promise<void>;
}

export async function startScaleOut(url: string, opts: Readonly<Required<ScaleOutOptions>>, nodeId: string, log: Logger): Promise<ScaleOut> {
  const clients = await connectRedis(url, { commandTimeoutMs: opts.commandTimeoutMs, log });
  const store = new RedisStore({ redis: clients.store, keyPrefix: opts.keyPrefix, nodeId, ttlMs: opts.ttlMs, ownsClient: false });
  const tracker = new PublishTracker(opts.publishTimeoutMs);
  const adapter = createAdapter(clients.pub, {
    streamName: store.keys.stream,
    channelPrefix: store.keys.stream,
    maxLen: STREAM_MAX_LEN,
  });
  let node: ClusterNode | undefined;
  // Every live process writes its sessions back within a heartbeat of seeing Redis again; one
  // that cannot within ttlMs counts as dead anyway. The others may see Redis again up to a
  // reconnect delay after this process does, and the window counts from when Redis answers
  // again, not from the last failure (a freeze longer than ttlMs expires every session key).
  let degradedUntil = 0;
  const recovering = (): void => {
    degradedUntil = Date.now() + opts.ttlMs + RECONNECT_DELAY_CAP_MS;
  };
  clients.store.on('ready', recovering);
  log.info({ redis: redactRedisUrl(url), nodeId, heartbeatMs: opts.heartbeatMs, ttlMs: opts.ttlMs }, 'scale-out: Redis store and adapter');

  return {
    store,
    adapter,
    lock: new ClusterLock(clients.store, store.keys),
    deliver: (emit) => tracker.deliver(emit),
    degraded: () => Date.now() < degradedUntil,
    attach(ctx, io) {
      if (!tracker.attach(io.of('/').adapter)) log.warn('scale-out: the socket.io adapter cannot report failed publishes');
      node = new ClusterNode(ctx, store, opts.heartbeatMs, recovering);
      node.start();
    },
    heartbeat: () => node?.tick() ?? Promise.resolve(),
    async close() {
      await node?.stop();
      // Survivors then treat this process's users as dropped now rather than after ttlMs.
      await store.goodbye().catch((err: unknown) => log.debug({ err }, 'scale-out: goodbye not written'));
      await clients.close();
    },
  };
}
