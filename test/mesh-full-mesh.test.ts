// A room of real engines on real WebRTC forms a full mesh (SPEC §10): one link per pair, opened
// eagerly on join; room broadcasts, in-room user messages and P2P messages outside rooms then
// all travel over the links, with end-to-end results, and the server relays none of them.
import { describe, expect, it } from 'vitest';
import { useTestbed, type Member } from './helpers/rts-clients.js';
import { sleep, type TestServer } from './helpers/server.js';
import { linksOf, meshParams, meshRoom, relayed, resultsOf, STACKS, texts, waitForMesh } from './helpers/mesh.js';
import type { LinkManagerFactory } from '../client/index.js';
import { defaultLinkManagerFactory } from '../client/link-factory.js';
import { resolveWebRTC } from '../client/peer/webrtc-impl.js';
import type { Recorder } from './helpers/rts-clients.js';

const bed = useTestbed();
const { clients } = bed;
let srv: TestServer;

/** Every kind of message from everyone to everyone; asserts results and arrivals. */
async function exchangeEverything(members: Member[], tag: string): Promise<void> {
  const roomIds = members.map((m) => m.room.sendRoomMessage(`${tag} broadcast from ${m.uid}`));
  const userIds = members.map((m) => members.filter((o) => o !== m).map((o) => m.room.sendUserMessage(o.uid, `${tag} in-room ${m.uid}>${o.uid}`)));
  const p2pIds = members.map((m) => members.filter((o) => o !== m).map((o) => m.rts.sendMessage(o.uid, `${tag} p2p ${m.uid}>${o.uid}`)));
  for (const [i, m] of members.entries()) {
    expect(await resultsOf(m.roomRec, 'onRoomMessageSendResult', [roomIds[i]])).toEqual([200]);
    expect(await resultsOf(m.roomRec, 'onUserMessageSendResult', userIds[i])).toEqual(userIds[i].map(() => 0));
    expect(await resultsOf(m.rec, 'onMessageSendResult', p2pIds[i])).toEqual(p2pIds[i].map(() => 0));
  }
  // A result means every receiver acknowledged, so everything is there already.
  for (const m of members) {
    const others = members.filter((o) => o !== m);
    const mine = (event: string, rec: Recorder): string[] => texts(rec, event).filter((t) => t.includes(`${tag} `)).sort();
    expect(mine('onRoomMessageReceived', m.roomRec)).toEqual(others.map((o) => `${o.uid}:${tag} broadcast from ${o.uid}`).sort());
    expect(mine('onUserMessageReceived', m.roomRec)).toEqual(others.map((o) => `${o.uid}:${tag} in-room ${o.uid}>${m.uid}`).sort());
    expect(mine('onMessageReceived', m.rec)).toEqual(others.map((o) => `${o.uid}:${tag} p2p ${o.uid}>${m.uid}`).sort());
  }
}

describe.each(STACKS)('full mesh on %s', (stack) => {
  it('4 members: one link per pair; broadcasts, in-room and P2P messages all arrive, none relayed', async () => {
    srv = await bed.start();
    const members = await meshRoom(clients, ['m1', 'm2', 'm3', 'm4'], 'mesh', stack);
    await waitForMesh(members);
    for (const m of members) expect(linksOf(m).stats()).toMatchObject({ links: 3, open: 3 });
    const lids = members.map((m) => members.filter((o) => o !== m).map((o) => linksOf(m).linkFor(o.uid)!.lid));
    const relayedBefore = relayed(srv);
    const signalsBefore = srv.server.stats().rtcSignals;
    const pathEvents = members.map((m) => m.rec.count('onPeerLinkStateChanged'));

    await exchangeEverything(members, 'round1');

    expect(relayed(srv)).toBe(relayedBefore);
    // Both ends of each pair agree on the link (same id), and messaging did not open new ones.
    for (const [i, m] of members.entries()) {
      for (const [j, o] of members.filter((x) => x !== m).entries()) {
        expect(linksOf(o).linkFor(m.uid)!.lid).toBe(lids[i][j]);
      }
      expect(linksOf(m).stats()).toMatchObject({ links: 3, open: 3 });
    }
    expect(srv.server.stats().rtcSignals).toBe(signalsBefore);
    // Every peer stayed on p2p throughout (a first attempt may fail and be retried while the
    // mesh forms — node-datachannel sometimes refuses an answer under load — but not after).
    expect(members.map((m) => m.rec.count('onPeerLinkStateChanged'))).toEqual(pathEvents);
  });

  it('two rooms shared by the same pair reuse their one link', async () => {
    srv = await bed.start();
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((uid) => clients.login(uid, meshParams(stack))));
    const a1 = await alice.join('R1');
    const b1 = await bob.join('R1');
    await waitForMesh([alice, bob]);
    const lid = linksOf(alice).linkFor('bob')!.lid;
    const a2 = await alice.join('R2');
    const b2 = await bob.join('R2');
    await a2.rec.wait('onUserJoined', (info) => info.uid === 'bob');
    const relayedBefore = relayed(srv);
    const ids = [a1.room.sendRoomMessage('in R1'), a2.room.sendRoomMessage('in R2')];
    expect(await resultsOf(a1.rec, 'onRoomMessageSendResult', [ids[0]])).toEqual([200]);
    expect(await resultsOf(a2.rec, 'onRoomMessageSendResult', [ids[1]])).toEqual([200]);
    expect(texts(b1.rec, 'onRoomMessageReceived')).toEqual(['alice:in R1']);
    expect(texts(b2.rec, 'onRoomMessageReceived')).toEqual(['alice:in R2']);
    expect(relayed(srv)).toBe(relayedBefore);
    expect(linksOf(alice).linkFor('bob')!.lid).toBe(lid);
    expect(linksOf(bob).linkFor('alice')!.lid).toBe(lid);
    expect(linksOf(alice).stats().links).toBe(1);
    // Leaving one room keeps the link for the other.
    a1.room.leaveRoom();
    await b1.rec.wait('onUserLeave', (uid) => uid === 'alice');
    const id = a2.room.sendRoomMessage('still linked');
    expect(await resultsOf(a2.rec, 'onRoomMessageSendResult', [id])).toEqual([200]);
    expect(linksOf(alice).linkFor('bob')!.lid).toBe(lid);
    expect(relayed(srv)).toBe(relayedBefore);
  });
});

describe('link setup', () => {
  it('a newcomer whose link layer is still loading gets its links on the first attempt', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice', meshParams());
    const a = await alice.join('slow');
    // bob's link layer takes a while to load (a cold native module); alice, the smaller uid,
    // offers as soon as bob joins — before bob can handle it.
    let loaded = false;
    const slowFactory: LinkManagerFactory = async (ctx) => {
      await sleep(400);
      const links = await defaultLinkManagerFactory!(ctx);
      loaded = true;
      return links;
    };
    const bob = await clients.login('bob', meshParams('wrtc', { linkManagerFactory: slowFactory }));
    await bob.join('slow');
    await a.rec.wait('onUserJoined', (info) => info.uid === 'bob');
    expect(loaded).toBe(false);
    await waitForMesh([alice, bob]);
    // alice's first link attempt is the one that opened: the offer waited for bob's link layer
    // instead of being lost (which would leave alice waiting for her connect timeout).
    expect(linksOf(alice).linkFor('bob')!.lid).toMatch(/\.1$/);
    expect(linksOf(bob).linkFor('alice')!.lid).toBe(linksOf(alice).linkFor('bob')!.lid);
  });
});

describe('injected WebRTC implementation', () => {
  it('an implementation object given as `webrtc` is the one the links are made with', async () => {
    srv = await bed.start();
    const base = await resolveWebRTC('node-datachannel');
    let made = 0;
    const Base = base.RTCPeerConnection;
    class Counted extends Base {
      constructor(config?: RTCConfiguration) {
        super(config);
        made++;
      }
    }
    const impl = { ...base, RTCPeerConnection: Counted };
    const [alice, bob] = await Promise.all([
      clients.login('alice', meshParams('wrtc', { webrtc: impl })),
      clients.login('bob', meshParams('wrtc')),
    ]);
    await alice.join('inject');
    await bob.join('inject');
    await waitForMesh([alice, bob]);
    expect(made).toBeGreaterThanOrEqual(1);
    // node-datachannel on one side, @roamhq/wrtc on the other: the stacks interoperate.
    const id = bob.rts.sendMessage('alice', 'across stacks');
    expect(await resultsOf(bob.rec, 'onMessageSendResult', [id])).toEqual([0]);
    expect(texts(alice.rec, 'onMessageReceived')).toEqual(['bob:across stacks']);
  });
});

describe('a larger mesh', () => {
  it('6 members on the default stack: 15 links, everything arrives, nothing relayed', async () => {
    srv = await bed.start();
    const members = await meshRoom(clients, ['s1', 's2', 's3', 's4', 's5', 's6'], 'six', 'wrtc');
    await waitForMesh(members, 45_000);
    for (const m of members) expect(linksOf(m).stats()).toMatchObject({ links: 5, open: 5 });
    const relayedBefore = relayed(srv);
    await exchangeEverything(members, 'six');
    expect(relayed(srv)).toBe(relayedBefore);
  }, 60_000);
});
