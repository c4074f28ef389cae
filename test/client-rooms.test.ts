// Rooms through the SDK against a real signaling server: creation checks, join and leave
// callbacks on both sides, several rooms, a second session of the same uid, dropped members.
import { describe, expect, it } from 'vitest';
import { RoomErrorCode, UserOfflineReason } from '../client/index.js';
import { useTestbed, Recorder } from './helpers/rts-clients.js';
import { sleep, waitFor, type TestServer } from './helpers/server.js';

const bed = useTestbed();
const { clients } = bed;
let srv: TestServer;

describe('createRoom', () => {
  it('a bad roomId → onCreateRoomStateChanged(-1007) and null; the same id twice → -1013 and null', async () => {
    srv = await bed.start();
    const { rts, rec } = clients.create();
    expect(rts.createRoom('no spaces allowed')).toBeNull();
    expect(rts.createRoom('x'.repeat(129))).toBeNull();
    const room = rts.createRoom('R1');
    expect(room?.roomId).toBe('R1');
    expect(rts.createRoom('R1')).toBeNull();
    expect(rec.of('onCreateRoomStateChanged')).toEqual([
      ['no spaces allowed', -1007], ['x'.repeat(129), -1007], ['R1', -1013],
    ]);
    // Once destroyed, the id is free again.
    room!.destroy();
    expect(rts.createRoom('R1')).not.toBeNull();
  });
});

describe('joining and leaving', () => {
  it('join → state 0 with {"elapsed","join_type":0}; onUserJoined both ways with extraInfo', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    const bob = await clients.login('bob');
    const a = await alice.join('R1', 'alice-info');
    const [roomId, uid, state, extra] = a.rec.of('onRoomStateChanged')[0];
    expect([roomId, uid, state]).toEqual(['R1', 'alice', 0]);
    const parsed = JSON.parse(extra as string);
    expect(parsed.join_type).toBe(0);
    expect(typeof parsed.elapsed).toBe('number');
    const b = await bob.join('R1', 'bob-info');
    const [info] = await a.rec.wait('onUserJoined');
    expect(info).toEqual({ uid: 'bob', extraInfo: 'bob-info' });
    const [binfo] = await b.rec.wait('onUserJoined');
    expect(binfo).toEqual({ uid: 'alice', extraInfo: 'alice-info' });
    expect(b.room.members).toEqual(['alice']);
  });

  it('leaveRoom → onLeaveRoom(stats) here, onUserLeave(uid, Quit) there', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    const bob = await clients.login('bob');
    const a = await alice.join('R1');
    const b = await bob.join('R1');
    await a.rec.wait('onUserJoined');
    expect(b.room.leaveRoom()).toBe(0);
    const [stats] = await b.rec.wait('onLeaveRoom');
    expect(stats).toMatchObject({ roomId: 'R1', sentMessages: 0, receivedMessages: 0 });
    const [who, reason] = await a.rec.wait('onUserLeave');
    expect([who, reason]).toEqual(['bob', UserOfflineReason.Quit]);
    expect(a.room.members).toEqual([]);
  });

  it('extraInfo over 200 bytes → -2 at the call; joinRoom before login → -1', async () => {
    srv = await bed.start();
    const { rts } = clients.create();
    const room = rts.createRoom('R1')!;
    expect(room.joinRoom('ok')).toBe(-1);
    const alice = await clients.login('alice');
    const r = alice.rts.createRoom('R1')!;
    expect(r.joinRoom('é'.repeat(101))).toBe(-2); // 202 UTF-8 bytes
    expect(r.joinRoom('x'.repeat(200))).toBe(0);
  });

  it('joinRoom right after login() (before the result) joins once logged in', async () => {
    srv = await bed.start();
    const { rts } = clients.create();
    rts.login(srv.token('alice'), 'alice');
    const room = rts.createRoom('R1')!;
    const rec = new Recorder();
    room.setRTSRoomDelegate(rec.handler);
    expect(room.joinRoom()).toBe(0);
    const [, , state] = await rec.wait('onRoomStateChanged');
    expect(state).toBe(0);
  });

  it('one engine in several rooms keeps their members apart', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    const bob = await clients.login('bob');
    const carol = await clients.login('carol');
    const a1 = await alice.join('R1');
    const a2 = await alice.join('R2');
    await bob.join('R1');
    await carol.join('R2');
    await a1.rec.wait('onUserJoined');
    await a2.rec.wait('onUserJoined');
    expect(a1.room.members).toEqual(['bob']);
    expect(a2.room.members).toEqual(['carol']);
    expect(a1.rec.of('onUserJoined').map(([i]) => (i as { uid: string }).uid)).toEqual(['bob']);
  });

  it('the same uid joining from a second session kicks the first with -1004', async () => {
    srv = await bed.start();
    const first = await clients.login('alice');
    const f = await first.join('R1');
    // A second engine of alice: the first is logged out (DuplicateLogin) and its room closed.
    const second = await clients.login('alice');
    await second.join('R1');
    await f.rec.wait('onRoomStateChanged', (_r, _u, state) => state === RoomErrorCode.JoinedElsewhere);
    await first.rec.wait('onLogout');
    expect(f.room.joined).toBe(false);
  });

  it('a second session in the same room (raw client) kicks the engine out of it with -1004', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    const a = await alice.join('R1');
    // Same uid, another session id: the engine is displaced from the login and the room.
    const raw = await srv.login('alice');
    await raw.socket.timeout(5000).emitWithAck('room:join', { roomId: 'R1', extraInfo: '', rejoin: false });
    await a.rec.wait('onRoomStateChanged', (_r, _u, state) => state === RoomErrorCode.JoinedElsewhere);
    await alice.rec.wait('onLogout');
    expect(a.room.joined).toBe(false);
  });

  it('a member whose connection drops is announced as Dropped after the grace period', async () => {
    srv = await bed.start({ dropGraceMs: 200 });
    const alice = await clients.login('alice');
    const a = await alice.join('R1');
    const raw = await srv.login('bob');
    await raw.socket.timeout(5000).emitWithAck('room:join', { roomId: 'R1', extraInfo: '', rejoin: false });
    await a.rec.wait('onUserJoined');
    raw.socket.io.engine.close();
    await sleep(50);
    expect(a.rec.count('onUserLeave')).toBe(0);
    const [who, reason] = await a.rec.wait('onUserLeave');
    expect([who, reason]).toEqual(['bob', UserOfflineReason.Dropped]);
  });

  it('kicked by the app server → -1006; room dismissed → -1011', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    const a = await alice.join('R1');
    const b = await alice.join('R2');
    const api = async (path: string): Promise<number> => {
      const res = await fetch(`${srv.url}/api/v1/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${srv.appKey}`, 'x-app-id': srv.appId, 'content-type': 'application/json' },
        body: '{}',
      });
      return res.status;
    };
    expect(await api('rooms/R1/users/alice/kick')).toBe(200);
    await a.rec.wait('onRoomStateChanged', (_r, _u, state) => state === RoomErrorCode.KickedByServer);
    expect(await api('rooms/R2/dismiss')).toBe(200);
    await b.rec.wait('onRoomStateChanged', (_r, _u, state) => state === RoomErrorCode.RoomDismissed);
    expect(a.room.joined || b.room.joined).toBe(false);
    // Still logged in, and can join again.
    a.room.joinRoom();
    await waitFor(() => a.rec.of('onRoomStateChanged').filter(([, , s]) => s === 0).length === 2);
  });
});
