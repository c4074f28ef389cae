// The signaling server going away does not stop a room (SPEC §10): existing links keep carrying
// broadcasts, in-room messages and P2P messages — with their end-to-end results, since acks go
// over the links too — and when a server is back on the same address the engines log in again
// and rejoin by themselves, keeping their links.
import { describe, expect, it } from 'vitest';
import { ConnectionState } from '../client/index.js';
import { useTestbed, type Member } from './helpers/rts-clients.js';
import { waitFor, type TestServer } from './helpers/server.js';
import { linksOf, meshRoom, relayed, resultsOf, texts, waitForMesh } from './helpers/mesh.js';

const bed = useTestbed();
const { clients } = bed;
let srv: TestServer;

/** Each member broadcasts, messages the next one in the room and outside it; asserts results and arrivals. */
async function chat(members: Member[], tag: string): Promise<void> {
  const sent = members.map((m, i) => {
    const next = members[(i + 1) % members.length];
    return {
      room: m.room.sendRoomMessage(`${tag} all from ${m.uid}`),
      user: m.room.sendUserMessage(next.uid, `${tag} in-room to ${next.uid}`),
      p2p: m.rts.sendMessage(next.uid, `${tag} p2p to ${next.uid}`),
    };
  });
  for (const [i, m] of members.entries()) {
    expect(await resultsOf(m.roomRec, 'onRoomMessageSendResult', [sent[i].room])).toEqual([200]);
    expect(await resultsOf(m.roomRec, 'onUserMessageSendResult', [sent[i].user])).toEqual([0]);
    expect(await resultsOf(m.rec, 'onMessageSendResult', [sent[i].p2p])).toEqual([0]);
  }
  for (const [i, m] of members.entries()) {
    const prev = members[(i + members.length - 1) % members.length];
    const tagged = (list: string[]): string[] => list.filter((t) => t.includes(`:${tag} `)).sort();
    expect(tagged(texts(m.roomRec, 'onRoomMessageReceived'))).toEqual(members.filter((o) => o !== m).map((o) => `${o.uid}:${tag} all from ${o.uid}`).sort());
    expect(tagged(texts(m.roomRec, 'onUserMessageReceived'))).toEqual([`${prev.uid}:${tag} in-room to ${m.uid}`]);
    expect(tagged(texts(m.rec, 'onMessageReceived'))).toEqual([`${prev.uid}:${tag} p2p to ${m.uid}`]);
  }
}

describe('signaling server outage', () => {
  it('links keep the room going while the server is down; engines reconnect and rejoin when it is back', async () => {
    srv = await bed.start();
    const port = srv.server.port;
    const members = await meshRoom(clients, ['o1', 'o2', 'o3'], 'outage');
    await waitForMesh(members);
    const lids = members.map((m) => members.filter((o) => o !== m).map((o) => linksOf(m).linkFor(o.uid)!.lid));
    await chat(members, 'before');
    expect(relayed(srv)).toBe(0);

    await srv.close();
    for (const m of members) await m.rec.wait('onConnectionStateChanged', (s) => s === ConnectionState.Reconnecting);
    // Server gone: everything still flows, over the links.
    await chat(members, 'outage');
    await chat(members, 'outage2');
    for (const m of members) {
      expect(m.rec.count('onConnectionStateChanged')).toBe(3); // Connecting, Connected, Reconnecting
      expect(linksOf(m).stats().open).toBe(2);
    }

    srv = await bed.start({ port });
    for (const m of members) {
      await m.rec.wait('onConnectionStateChanged', (s) => s === ConnectionState.Reconnected, 20_000);
      const [, uid, state, extra] = await m.roomRec.wait('onRoomStateChanged', (_r, _u, s, x) => s === 0 && JSON.parse(x).join_type === 1, 20_000);
      expect([uid, state]).toEqual([m.uid, 0]);
      expect(JSON.parse(extra as string)).toMatchObject({ join_type: 1 });
      expect(m.rec.of('onLoginResult')).toHaveLength(1); // re-logged in by itself, not by the app
    }
    // The new server knows the room again, with everyone in it.
    await waitFor(async () => (await srv.server.store.listMembers(srv.appId, 'outage')).length === 3, 10_000, 'all members known to the new server');
    for (const m of members) expect(m.room.members.sort()).toEqual(members.filter((o) => o !== m).map((o) => o.uid).sort());
    await chat(members, 'after');
    // The links outlived the outage: same link ids, nothing relayed by the new server.
    for (const [i, m] of members.entries()) {
      expect(members.filter((o) => o !== m).map((o) => linksOf(m).linkFor(o.uid)!.lid)).toEqual(lids[i]);
    }
    expect(relayed(srv)).toBe(0);
    // Nobody was announced as gone during all this.
    for (const m of members) expect(m.roomRec.count('onUserLeave')).toBe(0);
  }, 60_000);
});
