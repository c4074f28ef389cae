// The Promise form beside the vendor callbacks (SPEC §1): every method that reports through a
// callback can be awaited through rts.promises / room.promises. It resolves with the call's own
// result (sends matched by msgId), rejects with an RTSError carrying the callback's code, and the
// callbacks still fire as before.
import { describe, expect, it } from 'vitest';
import { LoginErrorCode, RoomMessageSendResult, RTSError, UserMessageSendResult, UserOnlineStatus } from '../client/index.js';
import { useTestbed, type Recorder } from './helpers/rts-clients.js';
import { startHttpServer, type TestServer } from './helpers/server.js';

const closers: Array<() => Promise<void>> = [];
const bed = useTestbed(async () => {
  for (const close of closers.splice(0)) await close();
});
const { clients } = bed;
let srv: TestServer;

/** The RTSError a promise rejects with (fails the test when it resolves or rejects otherwise). */
async function refusal(p: Promise<unknown>): Promise<RTSError> {
  const error = await p.then(() => new Error('resolved, expected a rejection'), (e: unknown) => e);
  expect(error).toBeInstanceOf(RTSError);
  return error as RTSError;
}

/** The code the callback `event` reported for `msgId`. */
const callbackCode = (rec: Recorder, event: string, msgId: number): unknown => rec.of(event).find(([id]) => id === msgId)?.[1];

describe('rts.promises', () => {
  it('login resolves once logged in and rejects with the login code; logout resolves with the reason', async () => {
    srv = await bed.start();
    const { rts, rec } = clients.create();
    expect(await refusal(rts.promises.login('not-a-token', 'alice'))).toMatchObject({ code: LoginErrorCode.InvalidToken, operation: 'login' });
    expect((await refusal(rts.promises.login(srv.token('bad uid!'), 'bad uid!'))).code).toBe(LoginErrorCode.InvalidUserId);
    const { elapsedMs } = await rts.promises.login(srv.token('alice'), 'alice');
    expect(elapsedMs).toBeGreaterThanOrEqual(0);
    expect(rec.of('onLoginResult').map(([, code]) => code)).toEqual([LoginErrorCode.InvalidToken, LoginErrorCode.InvalidUserId, 0]);
    // A call that cannot be made at all rejects with its own negative code.
    expect((await refusal(rts.promises.login(srv.token('alice'), 'alice'))).code).toBe(-1);
    expect(await rts.promises.logout()).toEqual({ reason: 0 });
    expect(rec.of('onLogout')).toEqual([[0]]);
  });

  it('getPeerOnlineStatus resolves with the status; a bad argument rejects', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    await clients.login('bob');
    expect(await alice.rts.promises.getPeerOnlineStatus('bob')).toBe(UserOnlineStatus.Online);
    expect(await alice.rts.promises.getPeerOnlineStatus('nobody')).toBe(UserOnlineStatus.Offline);
    expect((await refusal(alice.rts.promises.getPeerOnlineStatus(42 as unknown as string))).code).toBe(-2);
  });

  it('every P2P send resolves with its msgId once delivered, and rejects with its own result code', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    const bob = await clients.login('bob');
    const p = alice.rts.promises;
    const big = 'x'.repeat(70_000);
    // Sent together: each settles from its own msgId, whatever order the results come in.
    const [toNobody, text, bytes, alias, aliasBytes] = [
      refusal(p.sendMessage('nobody', 'lost')),
      p.sendMessage('bob', 'one'),
      p.sendBinaryMessage('bob', Uint8Array.of(1, 2)),
      p.sendUserMessageOutsideRoom('bob', 'three'),
      p.sendUserBinaryMessageOutsideRoom('bob', Uint8Array.of(4)),
    ];
    const sent = await Promise.all([text, bytes, alias, aliasBytes]);
    expect(sent.map(({ msgId }) => callbackCode(alice.rec, 'onMessageSendResult', msgId))).toEqual([0, 0, 0, 0]);
    expect(new Set(sent.map(({ msgId }) => msgId)).size).toBe(4);
    expect(bob.rec.count('onMessageReceived')).toBe(2);
    expect(bob.rec.count('onBinaryMessageReceived')).toBe(2);
    const lost = await toNobody;
    expect(lost.code).toBe(UserMessageSendResult.NoReceiver);
    expect(callbackCode(alice.rec, 'onMessageSendResult', lost.msgId!)).toBe(UserMessageSendResult.NoReceiver);
    expect((await refusal(p.sendBinaryMessage('', Uint8Array.of(1)))).code).toBe(UserMessageSendResult.EmptyUser);
    expect((await refusal(p.sendUserMessageOutsideRoom('bob', big))).code).toBe(UserMessageSendResult.ExceedMaxLength);
    expect((await refusal(p.sendUserBinaryMessageOutsideRoom('alice', Uint8Array.of(1)))).code).toBe(UserMessageSendResult.NoReceiver);
    expect((await refusal(p.sendMessage('bob', 42 as unknown as string))).code).toBe(-2);
  });

  it('setServerParams and server sends resolve (with the app server body) and reject with their codes', async () => {
    // The test's app server listens on loopback, which the operator has to allow explicitly.
    srv = await bed.start({ p2server: { allowPrivateTargets: true } });
    const http = await startHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('thanks'));
    });
    closers.push(() => http.close());
    const outsider = clients.create();
    expect((await refusal(outsider.rts.promises.sendServerBinaryMessage(Uint8Array.of(1)))).code).toBe(UserMessageSendResult.NotLogin);
    expect((await refusal(outsider.rts.promises.setServerParams('sig', `${http.url}/rts`))).code).toBe(UserMessageSendResult.NotLogin);
    const alice = await clients.login('alice');
    expect((await refusal(alice.rts.promises.sendServerMessage('early'))).code).toBe(UserMessageSendResult.ServerParamsNotSet);
    const refused = refusal(alice.rts.promises.setServerParams('sig', 'ftp://nowhere'));
    await alice.rts.promises.setServerParams('sig', `${http.url}/rts`);
    // The two settle in call order, each from its own result: the server refuses an ftp URL (-2).
    expect((await refused).code).toBe(-2);
    expect(alice.rec.of('onServerParamsSetResult')).toEqual([[-2], [200]]);
    const text = await alice.rts.promises.sendServerMessage('hello');
    const bytes = await alice.rts.promises.sendServerBinaryMessage(Uint8Array.of(9));
    expect([text.body, bytes.body]).toEqual(['thanks', 'thanks']);
    expect(alice.rec.of('onServerMessageSendResult').filter(([id]) => id === text.msgId || id === bytes.msgId)).toHaveLength(2);
  });
});

describe('room.promises', () => {
  it('joinRoom resolves when joined and rejects when refused or left before it completed; leaveRoom resolves with the stats', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    const room = alice.rts.createRoom('R')!;
    expect((await refusal(room.promises.joinRoom('x'.repeat(300)))).code).toBe(-2);
    const abandoned = refusal(room.promises.joinRoom());
    room.leaveRoom();
    expect((await abandoned).code).toBe(RoomMessageSendResult.NotJoin);
    expect(await room.promises.leaveRoom()).toBeNull();
    expect(await room.promises.joinRoom('me')).toMatchObject({ joinType: 0 });
    expect(await room.promises.joinRoom()).toMatchObject({ joinType: 0 }); // already joined
    expect(await room.promises.leaveRoom()).toMatchObject({ roomId: 'R', sentMessages: 0 });
    const outsider = clients.create().rts.createRoom('R')!;
    expect((await refusal(outsider.promises.joinRoom())).code).toBe(-1);
    room.destroy();
    expect((await refusal(room.promises.leaveRoom())).code).toBe(-1);
  });

  it('every room send resolves with its msgId once delivered, and rejects with its own result code', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    const bob = await clients.login('bob');
    const a = await alice.join('R');
    await bob.join('R');
    const p = a.room.promises;
    const sent = await Promise.all([
      p.sendRoomMessage('all'), p.sendRoomBinaryMessage(Uint8Array.of(1)), p.sendUserMessage('bob', 'you'), p.sendUserBinaryMessage('bob', Uint8Array.of(2)),
    ]);
    expect(sent.slice(0, 2).map(({ msgId }) => callbackCode(a.rec, 'onRoomMessageSendResult', msgId))).toEqual([200, 200]);
    expect(sent.slice(2).map(({ msgId }) => callbackCode(a.rec, 'onUserMessageSendResult', msgId))).toEqual([0, 0]);
    expect((await refusal(p.sendRoomBinaryMessage(new Uint8Array(70_000)))).code).toBe(RoomMessageSendResult.ExceedMaxLength);
    expect((await refusal(p.sendUserMessage('carol', 'not here'))).code).toBe(UserMessageSendResult.NoReceiver);
    expect((await refusal(p.sendUserBinaryMessage('', Uint8Array.of(1)))).code).toBe(UserMessageSendResult.EmptyUser);
    a.room.leaveRoom();
    const notIn = await refusal(p.sendRoomMessage('gone'));
    expect(notIn.code).toBe(RoomMessageSendResult.NotJoin);
    expect(callbackCode(a.rec, 'onRoomMessageSendResult', notIn.msgId!)).toBe(RoomMessageSendResult.NotJoin);
  });
});
