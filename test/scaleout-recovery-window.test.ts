// When the shared state may be incomplete after a Redis fault. A freeze longer than the presence
// TTL expires every session key; the processes write theirs back at their first heartbeat that
// gets through. So the heartbeat reports a possible data loss at each failure and again at the
// first success after failures: the recovery window (ServerContext.degraded) counts from the
// moment Redis answers again, not from the last failure.
import { describe, expect, it } from 'vitest';
import { ClusterNode } from '../signaling/scale-out/cluster-node.js';
import type { ServerContext } from '../signaling/context.js';
import type { RedisStore } from '../signaling/store/redis/redis-store.js';

/** A store whose heartbeat fails while `down`; nothing else to repair or reap. */
function fakeStore(): { store: RedisStore; down: { value: boolean }; reasserted: { value: boolean } } {
  const down = { value: false };
  const reasserted = { value: false };
  const store = {
    heartbeat: async () => {
      if (down.value) throw new Error('Command timed out');
      return { lost: [], reasserted: reasserted.value };
    },
    ownedSessions: () => [],
    deadNodes: async () => ({ dead: [] }),
  } as unknown as RedisStore;
  return { store, down, reasserted };
}

const ctx = {
  io: { of: () => ({ sockets: new Map() }) },
  log: { warn: () => undefined, debug: () => undefined },
} as unknown as ServerContext;

/** A heartbeat on a fake store, and how often it reported a possible data loss. */
function watchedNode(): { node: ClusterNode; reports: () => number; down: { value: boolean }; reasserted: { value: boolean } } {
  const { store, down, reasserted } = fakeStore();
  let count = 0;
  const node = new ClusterNode(ctx, store, 60_000, () => count++);
  return { node, reports: () => count, down, reasserted };
}

describe('the recovery window after a Redis fault', () => {
  it('is reported at each failed heartbeat and again at the first one that gets through, then not while healthy', async () => {
    const { node, reports, down } = watchedNode();
    await node.tick();
    expect(reports()).toBe(0);
    down.value = true;
    await node.tick();
    await node.tick();
    expect(reports()).toBe(2);
    down.value = false;
    await node.tick();
    expect(reports()).toBe(3);
    await node.tick();
    await node.tick();
    expect(reports()).toBe(3);
    await node.stop();
  });

  it('is reported when Redis turns out to have lost the sessions (written again)', async () => {
    const { node, reports, reasserted } = watchedNode();
    reasserted.value = true;
    await node.tick();
    expect(reports()).toBe(1);
    reasserted.value = false;
    await node.tick();
    expect(reports()).toBe(1);
    await node.stop();
  });
});
