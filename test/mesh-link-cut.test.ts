// A link that dies in the middle of a reliable stream (SPEC §10): its RTCPeerConnection is closed
// underneath the SDK on one side while 1,000 messages are under way. The stream falls back to the
// relay and arrives complete, in order, once; the results report delivery; the link comes back
// by itself and carries the rest.
import { describe, expect, it } from 'vitest';
import { useTestbed, type Member, type TestEngine } from './helpers/rts-clients.js';
import { sleep, waitFor, type TestServer } from './helpers/server.js';
import { FAST_LIMITS, linksOf, meshRoom, pathTo, relayed, resultsOf, STACKS, texts, waitForMesh } from './helpers/mesh.js';

const bed = useTestbed();
const { clients } = bed;
let srv: TestServer;

const COUNT = 1000;
const expected = (from: string, tag: string): string[] => Array.from({ length: COUNT }, (_, i) => `${from}:${tag}${i}`);

/** Closes `victim`'s RTCPeerConnection to `peer` under the SDK, as a dying network path would. */
function cutLink(victim: TestEngine, peer: string): string {
  const link = linksOf(victim).linkFor(peer);
  const pc = link?.rtcPeerConnection;
  if (!link || !pc) throw new Error(`no open link from ${victim.uid} to ${peer}`);
  pc.close();
  return link.lid;
}

/**
 * Sends COUNT messages in bursts (within the client's rate window), cutting the link once
 * `cutAt` of them have gone out.
 */
async function stream(send: (i: number) => number, cutAt: number, cut: () => void): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < COUNT; i++) {
    if (i === cutAt) cut();
    ids.push(send(i));
    if (i % 50 === 49) await sleep(60);
  }
  return ids;
}

describe.each(STACKS)('a link cut mid-stream on %s', (stack) => {
  async function room(uids: string[]): Promise<Member[]> {
    srv = await bed.start({ limits: FAST_LIMITS });
    const members = await meshRoom(clients, uids, 'cut', stack);
    await waitForMesh(members);
    return members;
  }

  it('1,000 reliable user messages arrive complete, in order, once; the link comes back by itself', async () => {
    const [alice, bob] = await room(['alice', 'bob']);
    let cutLid = '';
    const ids = await stream((i) => alice.room.sendUserMessage('bob', `u${i}`), 400, () => {
      cutLid = cutLink(alice, 'bob');
    });
    const codes = await resultsOf(alice.roomRec, 'onUserMessageSendResult', ids, 40_000);
    expect(codes).toEqual(ids.map(() => 0));
    expect(texts(bob.roomRec, 'onUserMessageReceived')).toEqual(expected('alice', 'u'));
    // The path switched: part of the stream went by relay, and the app was told.
    expect(relayed(srv)).toBeGreaterThan(0);
    expect(alice.rec.of('onPeerLinkStateChanged').filter(([uid]) => uid === 'bob').map(([, s]) => s)).toContain('relay');
    // Back to a new direct link by itself, which then carries messages again.
    await waitFor(() => pathTo(alice.rec, 'bob') === 'p2p' && pathTo(bob.rec, 'alice') === 'p2p' && linksOf(alice).isOpen('bob'), 30_000, 'the link back');
    expect(linksOf(alice).linkFor('bob')!.lid).not.toBe(cutLid);
    const relayedBefore = relayed(srv);
    const after = alice.room.sendUserMessage('bob', 'after the cut');
    expect(await resultsOf(alice.roomRec, 'onUserMessageSendResult', [after])).toEqual([0]);
    expect(texts(bob.roomRec, 'onUserMessageReceived').at(-1)).toBe('alice:after the cut');
    expect(relayed(srv)).toBe(relayedBefore);
    await sleep(100);
    expect(bob.roomRec.count('onUserMessageReceived')).toBe(COUNT + 1);
  }, 60_000);

  it('1,000 room broadcasts survive a cut of one member\'s link; the others are not disturbed', async () => {
    const [alice, bob, carol] = await room(['alice', 'bob', 'carol']);
    const carolLid = linksOf(alice).linkFor('carol')!.lid;
    const carolReports = carol.rec.count('onPeerLinkStateChanged');
    // This time the receiver's side of the link dies.
    const ids = await stream((i) => alice.room.sendRoomMessage(`b${i}`), 500, () => cutLink(bob, 'alice'));
    const codes = await resultsOf(alice.roomRec, 'onRoomMessageSendResult', ids, 40_000);
    expect(codes).toEqual(ids.map(() => 200));
    expect(texts(bob.roomRec, 'onRoomMessageReceived')).toEqual(expected('alice', 'b'));
    expect(texts(carol.roomRec, 'onRoomMessageReceived')).toEqual(expected('alice', 'b'));
    expect(relayed(srv)).toBeGreaterThan(0);
    // Carol's link was never touched.
    expect(linksOf(alice).linkFor('carol')!.lid).toBe(carolLid);
    expect(carol.rec.of('onPeerLinkStateChanged').slice(carolReports)).toEqual([]);
    await waitFor(() => pathTo(alice.rec, 'bob') === 'p2p' && pathTo(bob.rec, 'alice') === 'p2p', 30_000, 'the link back');
    await sleep(100);
    expect(bob.roomRec.count('onRoomMessageReceived')).toBe(COUNT);
  }, 60_000);
});
