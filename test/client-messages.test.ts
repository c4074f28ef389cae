// Messages through the SDK against a real signaling server (relay path): room broadcasts, user
// messages in rooms, messages outside rooms — text and binary, both ways — and every
// client-side refusal with its code.
import { describe, expect, it } from 'vitest';
import { RoomErrorCode, RoomMessageSendResult, UserMessageSendResult } from '../client/index.js';
import { useTestbed, Recorder } from './helpers/rts-clients.js';
import { sleep, waitFor } from './helpers/server.js';

const bed = useTestbed();
const { clients } = bed;

const resultOf = async (rec: Recorder, event: string, msgId: number): Promise<number> => {
  const [, code] = await rec.wait(event, (id) => id === msgId);
  return code as number;
};

describe('room messages', () => {
  it('broadcasts reach every other member (not the sender), text and binary, with 200', async () => {
    await bed.start();
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((u) => clients.login(u)));
    const a = await alice.join('R1');
    const b = await bob.join('R1');
    const c = await carol.join('R1');
    await waitFor(() => a.room.members.length === 2 && b.room.members.length === 2);
    const t = a.room.sendRoomMessage('hello room');
    const bin = a.room.sendRoomBinaryMessage(new Uint8Array([1, 2, 3]));
    expect(t).toBeGreaterThan(0);
    expect(bin).toBe(t + 1);
    expect(await resultOf(a.rec, 'onRoomMessageSendResult', t)).toBe(RoomMessageSendResult.Success);
    expect(await resultOf(a.rec, 'onRoomMessageSendResult', bin)).toBe(200);
    for (const r of [b.rec, c.rec]) {
      expect(r.of('onRoomMessageReceived')).toEqual([['alice', 'hello room']]);
      const [[from, bytes]] = r.of('onRoomBinaryMessageReceived');
      expect(from).toBe('alice');
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect([...(bytes as Uint8Array)]).toEqual([1, 2, 3]);
    }
    expect(a.rec.count('onRoomMessageReceived')).toBe(0);
    // The other way round too.
    const back = c.room.sendRoomMessage('from carol');
    expect(await resultOf(c.rec, 'onRoomMessageSendResult', back)).toBe(200);
    await a.rec.wait('onRoomMessageReceived', (from, text) => from === 'carol' && text === 'from carol');
  });

  it('user messages inside a room, text and binary, both ways, with 0', async () => {
    await bed.start();
    const alice = await clients.login('alice');
    const bob = await clients.login('bob');
    const a = await alice.join('R1');
    const b = await bob.join('R1');
    await a.rec.wait('onUserJoined');
    const id = a.room.sendUserMessage('bob', 'psst');
    const idBin = a.room.sendUserBinaryMessage('bob', new Uint8Array([9]));
    expect(await resultOf(a.rec, 'onUserMessageSendResult', id)).toBe(UserMessageSendResult.Success);
    expect(await resultOf(a.rec, 'onUserMessageSendResult', idBin)).toBe(0);
    expect(b.rec.of('onUserMessageReceived')).toEqual([['alice', 'psst']]);
    expect([...(b.rec.of('onUserBinaryMessageReceived')[0][1] as Uint8Array)]).toEqual([9]);
    const reply = b.room.sendUserMessage('alice', 'psst back');
    expect(await resultOf(b.rec, 'onUserMessageSendResult', reply)).toBe(0);
    await a.rec.wait('onUserMessageReceived', (from, text) => from === 'bob' && text === 'psst back');
    // In-room user messages are not delivered as outside-room messages.
    expect(bob.rec.count('onMessageReceived')).toBe(0);
  });

  it('a broadcast alone in the room succeeds at once (200)', async () => {
    await bed.start();
    const alice = await clients.login('alice');
    const a = await alice.join('R1');
    const id = a.room.sendRoomMessage('anyone?');
    expect(await resultOf(a.rec, 'onRoomMessageSendResult', id)).toBe(200);
  });

  it('not joined: -2011 warning and NotJoin (100); user message to a non-member → NoReceiver (3)', async () => {
    await bed.start();
    const alice = await clients.login('alice');
    const room = alice.rts.createRoom('R1')!;
    const rec = new Recorder();
    room.setRTSRoomDelegate(rec.handler);
    const id = room.sendRoomMessage('x');
    expect(rec.count('onRoomMessageSendResult')).toBe(0); // never inside the call
    expect(await resultOf(rec, 'onRoomMessageSendResult', id)).toBe(RoomMessageSendResult.NotJoin);
    expect(rec.of('onRoomStateChanged')).toEqual([['R1', 'alice', RoomErrorCode.WarnNotInRoom, '{}']]);
    const uid = room.sendUserMessage('bob', 'x');
    expect(await resultOf(rec, 'onUserMessageSendResult', uid)).toBe(UserMessageSendResult.NotJoin);
    const a = await alice.join('R2');
    const nr = a.room.sendUserMessage('bob', 'x');
    expect(await resultOf(a.rec, 'onUserMessageSendResult', nr)).toBe(UserMessageSendResult.NoReceiver);
  });

  it('66 broadcasts in a burst: the 66th → ExceedQPS (5)', async () => {
    await bed.start();
    const alice = await clients.login('alice');
    await clients.login('bob').then((b) => b.join('R1'));
    const a = await alice.join('R1');
    const ids = Array.from({ length: 66 }, (_, i) => a.room.sendRoomMessage(`b${i}`));
    await waitFor(() => a.rec.count('onRoomMessageSendResult') === 66, 15_000);
    const codes = ids.map((id) => a.rec.of('onRoomMessageSendResult').find(([m]) => m === id)![1]);
    expect(codes.slice(0, 65)).toEqual(Array(65).fill(200));
    expect(codes[65]).toBe(RoomMessageSendResult.ExceedQPS);
  });
});

describe('messages outside rooms', () => {
  it('text and binary both ways, with 0, and the alias callbacks fire too', async () => {
    await bed.start();
    const alice = await clients.login('alice');
    const bob = await clients.login('bob');
    const id = alice.rts.sendMessage('bob', 'hi bob');
    const idBin = alice.rts.sendBinaryMessage('bob', new Uint8Array([0, 255]));
    const idAlias = alice.rts.sendUserMessageOutsideRoom('bob', 'alias');
    expect([idBin, idAlias]).toEqual([id + 1, id + 2]);
    for (const m of [id, idBin, idAlias]) {
      expect(await resultOf(alice.rec, 'onMessageSendResult', m)).toBe(0);
      expect(await resultOf(alice.rec, 'onUserMessageSendResultOutsideRoom', m)).toBe(0);
    }
    expect(bob.rec.of('onMessageReceived')).toEqual([['alice', 'hi bob'], ['alice', 'alias']]);
    expect(bob.rec.of('onUserMessageReceivedOutsideRoom')).toEqual([['alice', 'hi bob'], ['alice', 'alias']]);
    expect([...(bob.rec.of('onBinaryMessageReceived')[0][1] as Uint8Array)]).toEqual([0, 255]);
    expect(bob.rec.count('onUserBinaryMessageReceivedOutsideRoom')).toBe(1);
    const back = bob.rts.sendUserBinaryMessageOutsideRoom('alice', new Uint8Array([7]));
    expect(await resultOf(bob.rec, 'onMessageSendResult', back)).toBe(0);
    await alice.rec.wait('onBinaryMessageReceived');
  });

  it('a binary payload is copied at the call: the app may reuse its buffer at once', async () => {
    await bed.start();
    const alice = await clients.login('alice');
    const bob = await clients.login('bob');
    // Small payloads share the SDK's copy slabs (16 KiB): 40 of 1000 bytes span three of them.
    const buf = new Uint8Array(5000);
    const sizes = [...Array.from({ length: 40 }, () => 1000), 5000, 3];
    const ids = sizes.map((n, i) => {
      buf.fill(i + 1, 0, n);
      const id = alice.rts.sendBinaryMessage('bob', buf.subarray(0, n));
      buf.fill(0xee);
      return id;
    });
    await waitFor(() => ids.every((id) => alice.rec.of('onMessageSendResult').some(([m, c]) => m === id && c === 0)), 15_000);
    await waitFor(() => bob.rec.count('onBinaryMessageReceived') === sizes.length);
    const got = bob.rec.of('onBinaryMessageReceived').map(([, bytes]) => bytes as Uint8Array);
    expect(got.map((b) => b.byteLength)).toEqual(sizes);
    got.forEach((b, i) => expect(b.every((x) => x === i + 1), `message ${i}`).toBe(true));
  });

  it('many messages arrive complete and in order', async () => {
    await bed.start();
    const alice = await clients.login('alice');
    const bob = await clients.login('bob');
    const ids = Array.from({ length: 90 }, (_, i) => alice.rts.sendMessage('bob', `n${i}`));
    await waitFor(() => ids.every((id) => alice.rec.of('onMessageSendResult').some(([m, c]) => m === id && c === 0)), 15_000);
    expect(bob.rec.of('onMessageReceived').map(([, t]) => t)).toEqual(ids.map((_, i) => `n${i}`));
  });

  it('refusals: NotLogin 105, EmptyUser 104, NoReceiver 3 (offline or invalid), ExceedMaxLength 103 at 65,537', async () => {
    await bed.start();
    const { rts, rec } = clients.create();
    const nl = rts.sendMessage('bob', 'x');
    expect(await resultOf(rec, 'onMessageSendResult', nl)).toBe(UserMessageSendResult.NotLogin);
    const alice = await clients.login('alice');
    const bob = await clients.login('bob');
    const r = alice.rec;
    expect(await resultOf(r, 'onMessageSendResult', alice.rts.sendMessage('', 'x'))).toBe(UserMessageSendResult.EmptyUser);
    expect(await resultOf(r, 'onMessageSendResult', alice.rts.sendMessage('nobody-here', 'x'))).toBe(UserMessageSendResult.NoReceiver);
    expect(await resultOf(r, 'onMessageSendResult', alice.rts.sendMessage('bad uid', 'x'))).toBe(UserMessageSendResult.NoReceiver);
    const big = alice.rts.sendBinaryMessage('bob', new Uint8Array(65_537));
    expect(await resultOf(r, 'onMessageSendResult', big)).toBe(UserMessageSendResult.ExceedMaxLength);
    const bigText = alice.rts.sendMessage('bob', 'é'.repeat(32_768) + 'x'); // 65,537 UTF-8 bytes
    expect(await resultOf(r, 'onMessageSendResult', bigText)).toBe(UserMessageSendResult.ExceedMaxLength);
    const max = alice.rts.sendBinaryMessage('bob', new Uint8Array(65_536).fill(7));
    expect(await resultOf(r, 'onMessageSendResult', max)).toBe(0);
    const [, got] = await bob.rec.wait('onBinaryMessageReceived');
    expect((got as Uint8Array).byteLength).toBe(65_536);
  });

  it('bad arguments return -2 at once; a destroyed engine returns -1', async () => {
    await bed.start();
    const alice = await clients.login('alice');
    expect(alice.rts.sendMessage('bob', 42 as unknown as string)).toBe(-2);
    expect(alice.rts.sendBinaryMessage('bob', 'text' as unknown as Uint8Array)).toBe(-2);
    expect(alice.rts.sendMessage('bob', 'x', 7 as never)).toBe(-2);
    expect(alice.rts.sendServerMessage(null as unknown as string)).toBe(-2);
    alice.rts.destroy();
    expect(alice.rts.sendMessage('bob', 'x')).toBe(-1);
  });

  it('101 P2P sends in a burst: the 101st → ExceedQPS (5)', async () => {
    await bed.start();
    const alice = await clients.login('alice');
    await clients.login('bob');
    const ids = Array.from({ length: 101 }, (_, i) => alice.rts.sendMessage('bob', `q${i}`));
    await waitFor(() => alice.rec.count('onMessageSendResult') === 101, 15_000);
    const codes = ids.map((id) => alice.rec.of('onMessageSendResult').find(([m]) => m === id)![1]);
    expect(codes.slice(0, 100)).toEqual(Array(100).fill(0));
    expect(codes[100]).toBe(UserMessageSendResult.ExceedQPS);
  });

  it('a message to a user who is not logged in → NoReceiver (3), never reported as delivered', async () => {
    await bed.start();
    const alice = await clients.login('alice');
    const id = alice.rts.sendMessage('bob', 'early');
    expect(await resultOf(alice.rec, 'onMessageSendResult', id)).toBe(UserMessageSendResult.NoReceiver);
    const bob = await clients.login('bob');
    await sleep(100);
    expect(bob.rec.count('onMessageReceived')).toBe(0);
  });
});
