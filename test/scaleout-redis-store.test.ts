// The Store contract (signaling/store/types.ts) holds the same for RedisStore as for the in-memory
// default: the handlers rely on these exact semantics, whichever store is behind them.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../signaling/store/memory-store.js';
import { RedisStore } from '../signaling/store/redis/redis-store.js';
import type { SessionRecord, Store } from '../signaling/store/types.js';
import { stopAllProcesses } from './helpers/processes.js';
import { startRedis, type RedisServer } from './helpers/redis.js';
import { sleep } from './helpers/server.js';

const APP = 'storetestapp000000000000';
const OTHER_APP = 'storetestapp000000000001';
let redis: RedisServer;
const opened: Store[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await redis?.stop();
  await stopAllProcesses();
});

async function redisStore(nodeId = 'node-a', keyPrefix = `st${randomUUID().slice(0, 6)}:`): Promise<RedisStore> {
  const client = new Redis(redis.url);
  client.on('error', () => {});
  const store = new RedisStore({ redis: client, keyPrefix, nodeId, ttlMs: 60_000 });
  opened.push(store);
  return store;
}

const session = (uid: string, over: Partial<SessionRecord> = {}): SessionRecord => ({
  appId: APP, uid, sessionId: `sess-${uid}-1`, socketId: `sock-${uid}`, nodeId: 'node-a', connected: true, since: 1000, ...over,
});
const member = (uid: string, sessionId = `sess-${uid}-1`, extraInfo = '') => ({ uid, sessionId, extraInfo, joinedAt: 1 });

const kinds: Array<[string, () => Promise<Store>]> = [
  ['MemoryStore', async () => {
    const s = new MemoryStore();
    opened.push(s);
    return s;
  }],
  ['RedisStore', () => redisStore()],
];

describe.each(kinds)('Store contract: %s', (_name, make) => {
  it('sessions: put, get, markDisconnected only for the same session and socket, delete only the same session', async () => {
    const store = await make();
    expect(await store.getSession(APP, 'alice')).toBeNull();
    await store.putSession(session('alice'));
    expect(await store.getSession(APP, 'alice')).toEqual(session('alice'));
    expect(await store.getSession(OTHER_APP, 'alice')).toBeNull();

    expect(await store.markDisconnected(APP, 'alice', 'sess-alice-1', 'other-socket')).toBe(false);
    expect(await store.markDisconnected(APP, 'alice', 'other-session', 'sock-alice')).toBe(false);
    expect(await store.markDisconnected(APP, 'alice', 'sess-alice-1', 'sock-alice')).toBe(true);
    expect(await store.markDisconnected(APP, 'alice', 'sess-alice-1', 'sock-alice')).toBe(false);
    const dropped = await store.getSession(APP, 'alice');
    expect(dropped?.connected).toBe(false);
    expect(dropped!.since).toBeGreaterThan(1000);

    await store.putSession(session('alice', { sessionId: 'sess-alice-2', socketId: 's2' }));
    expect(await store.deleteSession(APP, 'alice', 'sess-alice-1')).toBe(false);
    expect((await store.getSession(APP, 'alice'))?.sessionId).toBe('sess-alice-2');
    expect(await store.deleteSession(APP, 'alice', 'sess-alice-2')).toBe(true);
    expect(await store.getSession(APP, 'alice')).toBeNull();
  });

  it('displaced sessions are remembered for their ttl only', async () => {
    const store = await make();
    await store.addDisplacedSession(APP, 'old-session', 150);
    expect(await store.isDisplacedSession(APP, 'old-session')).toBe(true);
    expect(await store.isDisplacedSession(OTHER_APP, 'old-session')).toBe(false);
    await sleep(250);
    expect(await store.isDisplacedSession(APP, 'old-session')).toBe(false);
  });

  it('rooms: join order, replace keeps the place, remove by session, user rooms, delete returns members', async () => {
    const store = await make();
    expect(await store.putMember(APP, 'r', member('carol'))).toBeNull();
    expect(await store.putMember(APP, 'r', member('alice'))).toBeNull();
    expect(await store.putMember(APP, 'r', member('bob'))).toBeNull();
    const replaced = await store.putMember(APP, 'r', member('alice', 'sess-alice-2', 'again'));
    expect(replaced).toEqual(member('alice'));
    expect((await store.listMembers(APP, 'r')).map((m) => m.uid)).toEqual(['carol', 'alice', 'bob']);
    expect(await store.getMember(APP, 'r', 'alice')).toEqual(member('alice', 'sess-alice-2', 'again'));

    await store.putMember(APP, 'r2', member('alice', 'sess-alice-2'));
    expect((await store.listUserRooms(APP, 'alice')).sort()).toEqual(['r', 'r2']);
    expect(await store.removeMember(APP, 'r', 'alice', 'sess-alice-1')).toBeNull();
    expect(await store.removeMember(APP, 'r', 'alice', 'sess-alice-2')).toEqual(member('alice', 'sess-alice-2', 'again'));
    expect(await store.listUserRooms(APP, 'alice')).toEqual(['r2']);
    expect(await store.removeMember(APP, 'r', 'nobody')).toBeNull();

    expect((await store.deleteRoom(APP, 'r')).map((m) => m.uid)).toEqual(['carol', 'bob']);
    expect(await store.listMembers(APP, 'r')).toEqual([]);
    expect(await store.listUserRooms(APP, 'carol')).toEqual([]);
    expect(await store.deleteRoom(APP, 'r')).toEqual([]);
    expect(await store.counts()).toEqual({ sessions: 0, rooms: 1 });
    await store.removeMember(APP, 'r2', 'alice');
    expect(await store.counts()).toEqual({ sessions: 0, rooms: 0 });
  });

  it('contacts: symmetric, expiring, cleared in both directions', async () => {
    const store = await make();
    await store.addContact(APP, 'a', 'b', 60_000);
    await store.addContact(APP, 'a', 'c', 60_000);
    await store.addContact(APP, 'x', 'y', 100);
    expect(await store.areContacts(APP, 'b', 'a')).toBe(true);
    expect(await store.areContacts(APP, 'b', 'c')).toBe(false);
    expect(await store.areContacts(OTHER_APP, 'a', 'b')).toBe(false);
    await store.clearContacts(APP, 'a');
    expect(await store.areContacts(APP, 'a', 'b')).toBe(false);
    expect(await store.areContacts(APP, 'c', 'a')).toBe(false);
    await sleep(200);
    expect(await store.areContacts(APP, 'x', 'y')).toBe(false);
  });

  it('server params per session, and counts', async () => {
    const store = await make();
    await store.putSession(session('alice'));
    await store.setServerParams(APP, 'sess-alice-1', { signature: 'sig', url: 'http://x/hook' });
    expect(await store.getServerParams(APP, 'sess-alice-1')).toEqual({ signature: 'sig', url: 'http://x/hook' });
    expect(await store.getServerParams(APP, 'other')).toBeNull();
    await store.deleteServerParams(APP, 'sess-alice-1');
    expect(await store.getServerParams(APP, 'sess-alice-1')).toBeNull();
    await store.putSession(session('bob'));
    await store.putMember(APP, 'r', member('bob'));
    expect(await store.counts()).toEqual({ sessions: 2, rooms: 1 });
  });
});

describe('RedisStore beyond the contract', () => {
  it('writes the sessions and memberships it holds back after Redis lost its data', async () => {
    const store = await redisStore('node-x');
    await store.heartbeat();
    await store.putSession(session('alice', { nodeId: 'node-x' }));
    await store.putMember(APP, 'r', member('alice', 'sess-alice-1', 'info'));
    await store.setServerParams(APP, 'sess-alice-1', { signature: 's', url: 'http://x' });
    await store.client.flushall();
    expect(await store.getSession(APP, 'alice')).toBeNull();

    expect((await store.heartbeat()).reasserted).toBe(true);
    expect(await store.getSession(APP, 'alice')).toEqual(session('alice', { nodeId: 'node-x' }));
    expect(await store.listMembers(APP, 'r')).toEqual([member('alice', 'sess-alice-1', 'info')]);
    expect(await store.getServerParams(APP, 'sess-alice-1')).toEqual({ signature: 's', url: 'http://x' });
  });

  it('lets go of a session another process took over, and of a membership removed elsewhere', async () => {
    const a = await redisStore('node-a');
    const b = await redisStore('node-b', a.keys.prefix);
    await a.heartbeat();
    await a.putSession(session('alice'));
    await a.putSession(session('bob'));
    await a.putMember(APP, 'r', member('bob'));
    await b.putSession(session('alice', { sessionId: 'sess-alice-9', nodeId: 'node-b' }));
    await b.removeMember(APP, 'r', 'bob');

    const { lost } = await a.heartbeat();
    expect(lost.map((s) => s.uid)).toEqual(['alice']);
    expect(a.ownedSessions().map((o) => [o.session.uid, [...o.rooms.keys()]])).toEqual([['bob', []]]);
    expect((await a.getSession(APP, 'alice'))?.sessionId).toBe('sess-alice-9');
    expect(await a.listMembers(APP, 'r')).toEqual([]);
  });
});
