// Relay-only mode (for networks where WebRTC is blocked): as a createRTS parameter and switched
// at runtime. Its peers are reported as 'relay', messages go through the server with the same
// results; in a room mixing relay-only and mesh clients, mesh pairs still go direct.
import { describe, expect, it } from 'vitest';
import { joinAll, useTestbed, type Member } from './helpers/rts-clients.js';
import { sleep, waitFor, type TestServer } from './helpers/server.js';
import { linksOf, meshParams, pathTo, relayed, resultsOf, texts, waitForLink } from './helpers/mesh.js';

const bed = useTestbed();
const { clients } = bed;
let srv: TestServer;

/** Everyone broadcasts and messages everyone (in the room and outside it); asserts results and arrivals. */
async function exchange(members: Member[], tag: string): Promise<void> {
  const sent = members.map((m) => ({
    room: m.room.sendRoomMessage(`${tag}:${m.uid}`),
    user: members.filter((o) => o !== m).map((o) => m.room.sendUserMessage(o.uid, `${tag}:${m.uid}>${o.uid}`)),
    p2p: members.filter((o) => o !== m).map((o) => m.rts.sendMessage(o.uid, `${tag}:${m.uid}>${o.uid}`)),
  }));
  for (const [i, m] of members.entries()) {
    expect(await resultsOf(m.roomRec, 'onRoomMessageSendResult', [sent[i].room])).toEqual([200]);
    expect(await resultsOf(m.roomRec, 'onUserMessageSendResult', sent[i].user)).toEqual(sent[i].user.map(() => 0));
    expect(await resultsOf(m.rec, 'onMessageSendResult', sent[i].p2p)).toEqual(sent[i].p2p.map(() => 0));
  }
  for (const m of members) {
    const others = members.filter((o) => o !== m);
    const mine = (list: string[]): string[] => list.filter((t) => t.split(':')[1] === tag).sort();
    expect(mine(texts(m.roomRec, 'onRoomMessageReceived'))).toEqual(others.map((o) => `${o.uid}:${tag}:${o.uid}`).sort());
    expect(mine(texts(m.roomRec, 'onUserMessageReceived'))).toEqual(others.map((o) => `${o.uid}:${tag}:${o.uid}>${m.uid}`).sort());
    expect(mine(texts(m.rec, 'onMessageReceived'))).toEqual(others.map((o) => `${o.uid}:${tag}:${o.uid}>${m.uid}`).sort());
  }
}

describe('relay-only mode', () => {
  it('relayOnly clients report relay for every peer; everything arrives through the server', async () => {
    srv = await bed.start();
    const engines = await Promise.all(['r1', 'r2', 'r3'].map((uid) => clients.login(uid, meshParams('wrtc', { relayOnly: true }))));
    const members = await joinAll(engines, 'relay');
    for (const m of members) {
      expect(m.rts.debugLinkManager()).toBeNull();
      for (const o of members) if (o !== m) await m.rec.wait('onPeerLinkStateChanged', (uid, s) => uid === o.uid && s === 'relay');
    }
    await exchange(members, 'x');
    // 3 broadcasts + 6 in-room + 6 P2P messages, each once through the relay.
    expect(relayed(srv)).toBe(15);
    expect(srv.server.stats().rtcSignals).toBe(0);
    for (const m of members) expect(m.rec.of('onPeerLinkStateChanged').map(([, s]) => s)).not.toContain('p2p');
  });

  it('a room mixing relay-only and mesh clients: mesh pairs go direct, pairs with the relay-only one go by relay', async () => {
    srv = await bed.start();
    const [m1, m2] = await Promise.all(['m1', 'm2'].map((uid) => clients.login(uid, meshParams())));
    // The relay-only one sorts first and last, so it is asked for links in both roles.
    const [a0, z9] = await Promise.all(['a0', 'z9'].map((uid) => clients.login(uid, meshParams('wrtc', { relayOnly: true }))));
    const members = await joinAll([m1, a0, m2, z9], 'mixed');
    await waitForLink(m1, m2);
    // The mesh clients learn quickly that the relay-only ones take no links, and say so.
    for (const mesh of [m1, m2]) {
      for (const ro of [a0, z9]) {
        await waitFor(() => pathTo(mesh.rec, ro.uid) === 'relay', 5_000, `${mesh.uid} reporting relay for ${ro.uid}`);
        expect(linksOf(mesh).isOpen(ro.uid)).toBe(false);
      }
    }
    for (const ro of [a0, z9]) {
      for (const o of members) if (o.uid !== ro.uid) await waitFor(() => pathTo(ro.rec, o.uid) === 'relay', 5_000, `${ro.uid} reporting relay for ${o.uid}`);
    }
    const relayedBefore = relayed(srv);
    const signalsBefore = srv.server.stats().rtcSignals;
    await exchange(members, 'mix');
    // Relayed: every broadcast (each has a relay-only receiver, 4) and every message to or from a
    // relay-only client (in-room and P2P: 2 × 10); the two between m1 and m2 of each kind went direct.
    expect(relayed(srv) - relayedBefore).toBe(4 + 2 * 10);
    expect(pathTo(m1.rec, 'm2')).toBe('p2p');
    // And they do not keep knocking: no link attempts while the room just chats.
    expect(srv.server.stats().rtcSignals - signalsBefore).toBeLessThan(4);
  });

  it('switched on and off at runtime with setRuntimeParameters', async () => {
    srv = await bed.start();
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((uid) => clients.login(uid, meshParams())));
    const members = await joinAll([alice, bob], 'switch');
    await waitForLink(alice, bob);

    const bobReportsBefore = bob.rec.count('onPeerLinkStateChanged');
    expect(alice.rts.setRuntimeParameters({ relayOnly: true })).toBe(0);
    expect(alice.rts.debugLinkManager()).toBeNull();
    expect(pathTo(alice.rec, 'bob')).toBe('relay');
    await waitFor(() => pathTo(bob.rec, 'alice') === 'relay', 10_000, 'bob to see the link gone');
    let relayedBefore = relayed(srv);
    await exchange(members, 'off');
    expect(relayed(srv) - relayedBefore).toBe(2 + 2 + 2);
    // Bob does not keep trying to link with a relay-only alice.
    const signals = srv.server.stats().rtcSignals;
    await exchange(members, 'off2');
    expect(srv.server.stats().rtcSignals - signals).toBeLessThan(4);
    // Over a few of bob's reconnect backoff periods: at most the one attempt that got declined.
    await sleep(2000);
    const bobSince = bob.rec.of('onPeerLinkStateChanged').slice(bobReportsBefore).filter(([uid]) => uid === 'alice').map(([, s]) => s);
    expect(bobSince.filter((s) => s === 'connecting').length).toBeLessThanOrEqual(1);
    expect(pathTo(bob.rec, 'alice')).toBe('relay');

    expect(alice.rts.setRuntimeParameters(JSON.stringify({ relayOnly: false }))).toBe(0);
    await waitForLink(alice, bob);
    relayedBefore = relayed(srv);
    await exchange(members, 'on');
    expect(relayed(srv)).toBe(relayedBefore);
  });
});
