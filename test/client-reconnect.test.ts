// What the SDK does when the signaling server goes away: Reconnecting, then Reconnected after an
// automatic re-login, rooms rejoined (join_type 1, others see onUserJoined again), messages sent
// meanwhile delivered afterwards; Lost when the reconnect policy gives up.
import { describe, expect, it } from 'vitest';
import { ConnectionState, exponentialBackoff, UserOfflineReason, type RTS } from '../client/index.js';
import { useTestbed } from './helpers/rts-clients.js';
import { sleep, waitFor, type TestServer } from './helpers/server.js';

const bed = useTestbed();
const { clients } = bed;
let srv: TestServer;

const fast = { reconnect: exponentialBackoff({ initialMs: 50, maxMs: 200 }) };
const states = (rec: { of(n: string): unknown[][] }): unknown[] => rec.of('onConnectionStateChanged').map((a) => a[0]);

/** Kills the engine's socket transport without a logout, like a network failure. */
function cutConnection(rts: RTS): void {
  (rts as unknown as { conn: { socket: { io: { engine: { close(): void } } } } }).conn.socket.io.engine.close();
}

describe('server restart', () => {
  it('reconnects, logs in again, rejoins rooms with join_type 1; others see onUserJoined again', async () => {
    srv = await bed.start();
    const port = srv.server.port;
    const alice = await clients.login('alice', fast);
    const bob = await clients.login('bob', fast);
    const a = await alice.join('R1');
    const b = await bob.join('R1');
    await a.rec.wait('onUserJoined');
    await srv.close();
    await alice.rec.wait('onConnectionStateChanged', (s) => s === ConnectionState.Reconnecting);
    // Sent while the server is away: delivered once it is back.
    const pending = a.room.sendRoomMessage('during the outage');
    srv = await bed.start({ port });
    await alice.rec.wait('onConnectionStateChanged', (s) => s === ConnectionState.Reconnected);
    await bob.rec.wait('onConnectionStateChanged', (s) => s === ConnectionState.Reconnected);
    expect(states(alice.rec).slice(0, 4)).toEqual([
      ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Reconnected,
    ]);
    for (const r of [a.rec, b.rec]) {
      const [, , state, extra] = await r.wait('onRoomStateChanged', (_r, _u, s, x) => s === 0 && JSON.parse(x).join_type === 1);
      expect(state).toBe(0);
      expect(JSON.parse(extra as string)).toMatchObject({ join_type: 1 });
    }
    // Whoever rejoined second is announced to the first again.
    await waitFor(() => a.rec.count('onUserJoined') + b.rec.count('onUserJoined') >= 3, 10_000, 'onUserJoined again');
    await waitFor(() => a.room.members.includes('bob') && b.room.members.includes('alice'), 10_000, 'members back');
    const [, code] = await a.rec.wait('onRoomMessageSendResult', (id) => id === pending, 15_000);
    expect(code).toBe(200);
    expect(b.rec.of('onRoomMessageReceived')).toEqual([['alice', 'during the outage']]);
    // And everything works as before.
    const id = bob.rts.sendMessage('alice', 'after');
    await bob.rec.wait('onMessageSendResult', (m, c) => m === id && c === 0);
    await alice.rec.wait('onMessageReceived', (from, text) => from === 'bob' && text === 'after');
    expect(alice.rec.count('onLoginResult')).toBe(1);
  });

  it('after a restart, a member that never comes back is announced as Dropped after the grace period', async () => {
    srv = await bed.start();
    const port = srv.server.port;
    const alice = await clients.login('alice', fast);
    const bob = await clients.login('bob', fast);
    const carol = await clients.login('carol', fast);
    const a = await alice.join('R1');
    await bob.join('R1');
    await carol.join('R1');
    await waitFor(() => a.room.members.length === 2);
    await srv.close();
    await alice.rec.wait('onConnectionStateChanged', (s) => s === ConnectionState.Reconnecting);
    carol.rts.destroy(); // gone for good while the server is away
    srv = await bed.start({ port, dropGraceMs: 300 });
    await a.rec.wait('onRoomStateChanged', (_r, _u, s, x) => s === 0 && JSON.parse(x).join_type === 1);
    const [who, reason] = await a.rec.wait('onUserLeave');
    expect([who, reason]).toEqual(['carol', UserOfflineReason.Dropped]);
    await waitFor(() => a.room.members.join() === 'bob', 10_000, 'bob back, carol gone');
    expect(a.rec.of('onUserLeave').map(([u]) => u)).toEqual(['carol']);
  });

  it('a short network cut is resumed: the session and rooms survive and nobody sees a leave', async () => {
    srv = await bed.start({ dropGraceMs: 5000 });
    const alice = await clients.login('alice', fast);
    const bob = await clients.login('bob', fast);
    const a = await alice.join('R1');
    const b = await bob.join('R1');
    await a.rec.wait('onUserJoined');
    cutConnection(bob.rts);
    await bob.rec.wait('onConnectionStateChanged', (s) => s === ConnectionState.Reconnected);
    await b.rec.wait('onRoomStateChanged', (_r, _u, s, x) => s === 0 && JSON.parse(x).join_type === 1);
    await a.rec.wait('onUserJoined', () => a.rec.count('onUserJoined') === 2);
    expect(a.rec.count('onUserLeave')).toBe(0);
    const id = a.room.sendRoomMessage('still here?');
    await a.rec.wait('onRoomMessageSendResult', (m, c) => m === id && c === 200);
    await b.rec.wait('onRoomMessageReceived', (_f, t) => t === 'still here?');
  });

  it('when the policy gives up: Lost, rooms left, messages refused with NotLogin', async () => {
    srv = await bed.start({ dropGraceMs: 100 });
    const giveUp = { reconnect: { nextDelayMs: (n: number) => (n > 2 ? null : 20) } };
    const alice = await clients.login('alice', giveUp);
    const bob = await clients.login('bob');
    const a = await alice.join('R1');
    const b = await bob.join('R1');
    await b.rec.wait('onUserJoined');
    const port = srv.server.port;
    await srv.close();
    await alice.rec.wait('onConnectionStateChanged', (s) => s === ConnectionState.Lost);
    await a.rec.wait('onLeaveRoom');
    const id = alice.rts.sendMessage('bob', 'x');
    await alice.rec.wait('onMessageSendResult', (m, c) => m === id && c === 105);
    srv = await bed.start({ port });
    await sleep(300);
    expect(states(alice.rec).at(-1)).toBe(ConnectionState.Lost);
  });
});
