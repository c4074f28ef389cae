// P2P messages between users who share no room open a link lazily (SPEC §10): the first
// messages go by relay while the link comes up, later ones go direct; users who never talk get
// no link at all.
import { describe, expect, it } from 'vitest';
import { useTestbed } from './helpers/rts-clients.js';
import { waitFor, type TestServer } from './helpers/server.js';
import { linksOf, meshParams, pathTo, relayed, resultsOf, texts, waitForLink } from './helpers/mesh.js';

const bed = useTestbed();
const { clients } = bed;
let srv: TestServer;

describe('lazy P2P links outside rooms', () => {
  it('first message by relay, then the link comes up and later messages (both ways) skip the relay', async () => {
    srv = await bed.start();
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((uid) => clients.login(uid, meshParams())));
    await waitFor(() => [alice, bob, carol].every((e) => e.rts.debugLinkManager() !== null), 10_000, 'link layers loaded');
    // Nobody shares a room: no links, no paths reported.
    for (const e of [alice, bob, carol]) expect(linksOf(e).stats().links).toBe(0);
    expect(alice.rec.count('onPeerLinkStateChanged')).toBe(0);

    const first = alice.rts.sendMessage('bob', 'm0');
    expect(await resultsOf(alice.rec, 'onMessageSendResult', [first])).toEqual([0]);
    expect(relayed(srv)).toBe(1);
    await waitForLink(alice, bob);
    expect(alice.rec.of('onPeerLinkStateChanged').filter(([uid]) => uid === 'bob').map(([, s]) => s)).toEqual(['connecting', 'p2p']);

    const relayedBefore = relayed(srv);
    const ids = [first];
    for (let i = 1; i <= 30; i++) ids.push(alice.rts.sendMessage('bob', `m${i}`));
    const back = [bob.rts.sendMessage('alice', 'r1'), bob.rts.sendBinaryMessage('alice', Uint8Array.of(1, 2, 3))];
    expect(await resultsOf(alice.rec, 'onMessageSendResult', ids)).toEqual(ids.map(() => 0));
    expect(await resultsOf(bob.rec, 'onMessageSendResult', back)).toEqual([0, 0]);
    expect(relayed(srv)).toBe(relayedBefore);
    expect(texts(bob.rec, 'onMessageReceived')).toEqual(ids.map((_, i) => `alice:m${i}`));
    expect(texts(alice.rec, 'onMessageReceived')).toEqual(['bob:r1']);
    expect(alice.rec.of('onBinaryMessageReceived').map(([from, b]) => [from, [...(b as Uint8Array)]])).toEqual([['bob', [1, 2, 3]]]);
    // The alias callbacks fire too, whatever the path.
    expect(bob.rec.count('onUserMessageReceivedOutsideRoom')).toBe(31);

    // One link for the pair, none with carol who talked to nobody.
    expect(linksOf(alice).stats()).toMatchObject({ links: 1, open: 1 });
    expect(linksOf(bob).stats()).toMatchObject({ links: 1, open: 1 });
    expect(linksOf(carol).stats().links).toBe(0);
    expect(pathTo(carol.rec, 'alice')).toBeUndefined();
  });

  it('the larger uid starting the conversation gets a link too (the smaller one initiates it)', async () => {
    srv = await bed.start();
    const [amy, zed] = await Promise.all(['amy', 'zed'].map((uid) => clients.login(uid, meshParams('node-datachannel'))));
    const first = zed.rts.sendMessage('amy', 'hello from the larger uid');
    expect(await resultsOf(zed.rec, 'onMessageSendResult', [first])).toEqual([0]);
    await waitForLink(zed, amy);
    const relayedBefore = relayed(srv);
    const next = zed.rts.sendMessage('amy', 'direct');
    expect(await resultsOf(zed.rec, 'onMessageSendResult', [next])).toEqual([0]);
    expect(texts(amy.rec, 'onMessageReceived')).toEqual(['zed:hello from the larger uid', 'zed:direct']);
    expect(relayed(srv)).toBe(relayedBefore);
  });
});
