// A connected client costs the server as little as possible (10,000s of idle sockets per process):
// every socket of a server shares one set of listeners, created once per server, and keeps its
// state in socket.data; the event queue is only made when the socket sends its first event.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalingSocket } from '../signaling/context.js';
import { request, startTestServer, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

const serverSockets = (): SignalingSocket[] => [...t.server.io.of('/').sockets.values()];

describe('per-socket cost', () => {
  it('all sockets share one listener set, whatever they did; a silent socket has no event queue', async () => {
    const silent = await t.connect();
    const anon = await t.connect();
    await request(anon, 'presence:query', { uid: 'alice' });
    await t.login('alice');
    await t.login('bob');
    const sockets = serverSockets();
    expect(sockets).toHaveLength(4);

    const [first, ...others] = sockets;
    expect(first.listenersAny()).toHaveLength(1);
    for (const s of others) {
      expect(s.listenersAny()).toEqual(first.listenersAny());
      expect(s.listenersAny()[0]).toBe(first.listenersAny()[0]);
      // (socket.io adds a no-op 'error' listener of its own; it is shared too.)
      for (const event of ['disconnect', 'error'] as const) {
        const mine = s.listeners(event);
        expect(mine).toHaveLength(first.listeners(event).length);
        mine.forEach((fn, i) => expect(fn).toBe(first.listeners(event)[i]));
      }
    }
    // No listener per client event: they all come through the one dispatcher.
    for (const s of sockets) expect(s.eventNames().sort()).toEqual(['disconnect', 'error']);

    const silentOnServer = sockets.find((s) => s.id === silent.id)!;
    expect(silentOnServer.data.queue).toBeUndefined();
    expect(sockets.filter((s) => s.data.queue !== undefined)).toHaveLength(3);
  });

  it('a second server has its own listener set', async () => {
    const other = await startTestServer();
    try {
      await t.connect();
      await other.connect();
      const mine = serverSockets()[0];
      const theirs = [...other.server.io.of('/').sockets.values()][0];
      expect(theirs.listenersAny()[0]).not.toBe(mine.listenersAny()[0]);
    } finally {
      await other.close();
    }
  });
});
