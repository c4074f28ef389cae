// The messaging layer's use of direct links, through the engine's link layer over a link manager:
// which peers it wants links to and why, what onPeerLinkStateChanged reports, signaling in both
// directions, and removing the link manager.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeNetwork, waitFor } from './helpers/messaging-fakes.js';

let net: FakeNetwork;
afterEach(() => {
  for (const uid of [...(net?.nodes.keys() ?? [])]) net.remove(uid);
});

describe('links wanted by the messaging layer', () => {
  it('wants room links eagerly per member, once per peer, and drops them when no room is shared', () => {
    net = new FakeNetwork();
    const a = net.add('a');
    a.enterRoom(net, 'R1', ['b', 'c']);
    a.enterRoom(net, 'R2', ['b']);
    a.messenger.memberJoined('R2', 'd');
    expect(a.links!.wants).toEqual([
      ['b', 'room', 'want'], ['c', 'room', 'want'], ['d', 'room', 'want'],
    ]);
    a.messenger.memberLeft('R1', 'b'); // still shares R2 with b
    expect(a.links!.wants).toHaveLength(3);
    a.messenger.roomLeft('R2', 100);
    expect(a.links!.wants.slice(3)).toEqual([['b', 'room', 'unwant'], ['d', 'room', 'unwant']]);
  });

  it('wants a p2p link lazily on the first message outside rooms; the first messages go by relay', async () => {
    net = new FakeNetwork();
    const a = net.add('a');
    const b = net.add('b');
    const id = a.sendUser('b', 'hi');
    // After the first frame left (the server only relays signals between users who talked).
    expect(a.links!.wants).toEqual([]);
    expect(net.relayLog).toHaveLength(1);
    await Promise.resolve();
    expect(a.links!.wants).toEqual([['b', 'p2p', 'want']]);
    await waitFor(() => a.results.get(id) === 0);
    expect(net.relayLog.some((e) => e.from === 'a' && e.to === 'b')).toBe(true);
    expect(b.texts()).toEqual(['hi']);
  });

  it('reports link states as connecting / p2p / relay / closed', () => {
    net = new FakeNetwork();
    const a = net.add('a');
    net.add('b');
    a.links!.setState('b', 'connecting');
    net.openLink('a', 'b');
    net.breakLink('a', 'b', 'down');
    net.openLink('a', 'b');
    net.breakLink('a', 'b', 'closed');
    expect(a.peerStates).toEqual([
      ['b', 'connecting'], ['b', 'p2p'], ['b', 'relay'], ['b', 'p2p'], ['b', 'closed'],
    ]);
  });

  it('without a link manager, peers are reported as relay while wanted and closed after', () => {
    net = new FakeNetwork();
    const a = net.add('a', { links: false });
    a.enterRoom(net, 'R', ['b']);
    a.messenger.memberLeft('R', 'b');
    expect(a.peerStates).toEqual([['b', 'relay'], ['b', 'closed']]);
  });

  it('forwards signals out and in', () => {
    net = new FakeNetwork();
    const a = net.add('a');
    a.links!.emit('signal', 'b', { type: 'offer', sdp: 'x' });
    expect(a.signalsOut).toEqual([['b', { type: 'offer', sdp: 'x' }]]);
    a.linkLayer.handleSignal('b', { candidate: 'c' });
    expect(a.links!.signals).toEqual([['b', { candidate: 'c' }]]);
  });

  it('removing the link layer moves frames that were on links to the relay', async () => {
    net = new FakeNetwork();
    net.knobs.linkJitterMs = 50;
    const a = net.add('a', { resendAfterMs: 60_000 });
    const b = net.add('b');
    net.openLink('a', 'b');
    const ids = [a.sendUser('b', 'l1'), a.sendUser('b', 'l2')];
    net.breakLink('a', 'b'); // frames in flight are lost…
    a.linkLayer.detach(); // …and the layer goes away in the same tick
    await waitFor(() => ids.every((id) => a.results.get(id) === 0), 5000);
    expect(b.texts()).toEqual(['l1', 'l2']);
  });
});
