// Link lifecycle over real WebRTC, on both Node stacks: who initiates, reconnecting after a
// failure, stale and malformed signals, unwant, and a clean shutdown.
import { afterEach, describe, expect, it } from 'vitest';
import { FrameType, type Frame } from '../shared/frame.js';
import { createPeerPair, STACKS, waitFor, waitOpen, type PeerPair, type Side } from './helpers/peer-pair.js';

const text = (s: number, d: string): Frame => ({ t: FrameType.Message, st: 'u/', s, d });
const statesFor = (side: Side, uid: string): string[] => side.states.filter((s) => s.uid === uid).map((s) => s.state);
const fastRetry = { backoff: { nextRetryDelayInMs: () => 50 } };

describe.each(STACKS)('peer link lifecycle on %s', (stack) => {
  let pair: PeerPair | null = null;
  afterEach(() => {
    pair?.destroy();
    pair = null;
  });

  it('opens when the smaller uid wants it: the smaller uid initiates', async () => {
    pair = await createPeerPair(stack, { aUid: 'a-small', bUid: 'b-large' });
    const { a, b } = pair;
    a.manager.want(b.uid, 'room');
    await waitOpen(pair);
    expect(a.manager.linkFor(b.uid)!.initiator).toBe(true);
    expect(b.manager.linkFor(a.uid)!.initiator).toBe(false);
    expect(statesFor(a, b.uid)).toEqual(['connecting', 'open']);
    expect(statesFor(b, a.uid)).toEqual(['connecting', 'open']);
  });

  it('opens when only the larger uid wants it, through a link-request', async () => {
    pair = await createPeerPair(stack, { aUid: 'a-small', bUid: 'b-large' });
    const { a, b } = pair;
    b.manager.want(a.uid, 'p2p');
    await waitOpen(pair);
    expect(a.manager.linkFor(b.uid)!.initiator).toBe(true);
    expect(b.manager.send(a.uid, [text(1, 'lazy')])).toBe(true);
    await waitFor(() => a.frames.length === 1, 10_000, 'frame over the requested link');
    expect(statesFor(b, a.uid)).toEqual(['connecting', 'open']);
  });

  it('makes a single link when both sides want it at the same moment', async () => {
    pair = await createPeerPair(stack);
    const { a, b } = pair;
    a.manager.want(b.uid, 'room');
    b.manager.want(a.uid, 'room');
    await waitOpen(pair);
    await new Promise((r) => setTimeout(r, 300)); // a churning second link would show by now
    expect(statesFor(a, b.uid)).toEqual(['connecting', 'open']);
    expect(statesFor(b, a.uid)).toEqual(['connecting', 'open']);
    expect(a.manager.stats().links).toBe(1);
  });

  it.each(['initiator', 'answerer'] as const)(
    'reports down when the %s side’s RTCPeerConnection dies mid-stream, then reconnects while wanted',
    async (victim) => {
      pair = await createPeerPair(stack, { manager: fastRetry });
      const { a, b } = pair;
      a.manager.want(b.uid, 'room');
      b.manager.want(a.uid, 'room');
      await waitOpen(pair);
      const firstLid = a.manager.linkFor(b.uid)!.lid;
      const [dead, other] = victim === 'initiator' ? [a, b] : [b, a];
      const streaming = setInterval(() => dead.manager.send(other.uid, [text(1, 'tick')]), 5);
      await waitFor(() => other.frames.length > 3, 10_000, 'traffic before the failure');
      dead.manager.linkFor(other.uid)!.rtcPeerConnection!.close();
      await waitFor(() => statesFor(other, dead.uid).includes('down'), 10_000, 'the other side to report down');
      expect(statesFor(dead, other.uid)).toContain('down');
      clearInterval(streaming);
      await waitFor(() => statesFor(other, dead.uid).at(-1) === 'open' && statesFor(dead, other.uid).at(-1) === 'open', 10_000, 'both open again');
      await waitOpen(pair);
      expect(a.manager.linkFor(b.uid)!.lid).not.toBe(firstLid);
      const before = b.frames.length;
      expect(a.manager.send(b.uid, [text(2, 'after')])).toBe(true);
      await waitFor(() => b.frames.length > before && b.frames.at(-1)!.t === FrameType.Message, 10_000, 'a frame on the new link');
      expect(b.frames.at(-1)).toEqual(text(2, 'after'));
    },
  );

  it('ignores stale-lid, misdirected and malformed signals without disturbing the link', async () => {
    pair = await createPeerPair(stack, { aUid: 'a-small', bUid: 'b-large' });
    const { a, b } = pair;
    a.manager.want(b.uid, 'room');
    await waitOpen(pair);
    const link = b.manager.linkFor(a.uid)!;
    const [epoch, n] = link.lid.split('.');
    const olderLid = `${epoch}.${Number(n) - 1}`;
    const ignoredBefore = b.manager.stats().ignoredSignals;
    const bad: unknown[] = [
      { type: 'candidate', lid: olderLid, ep: epoch, candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0' } },
      { type: 'offer', lid: olderLid, ep: epoch, sdp: 'v=0\r\n' }, // an older link of the same initiator
      { type: 'offer', lid: link.lid, ep: epoch, sdp: 'v=0\r\n' }, // the current link's offer again
      { type: 'answer', lid: link.lid, ep: epoch, sdp: 'v=0\r\n' }, // answers go to the initiator only
      { type: 'close', lid: olderLid },
      { type: 'offer', lid: 'not a lid', ep: epoch, sdp: 'x' },
      { type: 'candidate', lid: link.lid, ep: epoch, candidate: 'not an object' },
      { type: 'candidate', lid: link.lid, ep: epoch, candidate: { candidate: 'garbage', sdpMid: '0' } },
      { type: 'candidate', lid: link.lid, ep: epoch, candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host' } },
      { type: 'offer', lid: `${epoch}.${Number(n) + 1}`, ep: epoch, sdp: 'not an sdp' },
      { type: 'renegotiate', renegotiate: true },
      { sdp: 42 },
      {},
    ];
    for (const s of bad) b.manager.handleSignal(a.uid, s as Record<string, unknown>);
    // The larger uid never initiates, so a link-request sent to it is ignored too.
    b.manager.handleSignal(a.uid, { type: 'link-request', ep: epoch });
    expect(b.manager.stats().ignoredSignals - ignoredBefore).toBe(bad.length + 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(b.manager.linkFor(a.uid)).toBe(link);
    expect(b.manager.isOpen(a.uid)).toBe(true);
    expect(statesFor(b, a.uid)).toEqual(['connecting', 'open']);
    a.manager.send(b.uid, [text(1, 'unharmed')]);
    await waitFor(() => b.frames.length === 1, 10_000, 'a frame after the bad signals');
  });

  it('an offer whose SDP the stack rejects fails that attempt cleanly', async () => {
    pair = await createPeerPair(stack, { aUid: 'a-small', bUid: 'b-large' });
    const { a, b } = pair;
    b.manager.handleSignal(a.uid, { type: 'offer', lid: '0abc.1', ep: '0abc', sdp: 'v=0\r\nthis is not sdp\r\n' });
    expect(statesFor(b, a.uid)).toEqual(['connecting']);
    await waitFor(() => statesFor(b, a.uid).at(-1) === 'closed', 10_000, 'the failed attempt to be dropped');
    expect(b.manager.stats().links).toBe(0);
    // The manager is unharmed: a real link still opens.
    a.manager.want(b.uid, 'room');
    await waitOpen(pair);
  });

  it('a new offer from the initiator replaces the old link on the answerer', async () => {
    pair = await createPeerPair(stack, { aUid: 'a-small', bUid: 'b-large' });
    const { a, b } = pair;
    a.manager.want(b.uid, 'room');
    b.manager.want(a.uid, 'room');
    await waitOpen(pair);
    const oldLink = b.manager.linkFor(a.uid)!;
    // The answerer asks for a fresh link, naming the one it has as dead.
    a.manager.handleSignal(b.uid, { type: 'link-request', ep: '00ff', seen: oldLink.lid });
    await waitFor(() => b.manager.linkFor(a.uid) !== oldLink && b.manager.isOpen(a.uid) && a.manager.isOpen(b.uid), 10_000, 'the replacement link');
    expect(oldLink.isClosed).toBe(true);
    expect(statesFor(b, a.uid)).toEqual(['connecting', 'open', 'down', 'connecting', 'open']);
  });

  it('unwant closes the link on both sides when nobody else wants it', async () => {
    pair = await createPeerPair(stack);
    const { a, b } = pair;
    a.manager.want(b.uid, 'room');
    a.manager.want(b.uid, 'p2p');
    await waitOpen(pair);
    a.manager.unwant(b.uid, 'room');
    expect(a.manager.isOpen(b.uid)).toBe(true); // 'p2p' still wants it
    a.manager.unwant(b.uid, 'p2p');
    expect(a.manager.isOpen(b.uid)).toBe(false);
    expect(a.manager.send(b.uid, [text(1, 'x')])).toBe(false);
    expect(statesFor(a, b.uid).at(-1)).toBe('closed');
    await waitFor(() => statesFor(b, a.uid).at(-1) === 'closed', 10_000, 'the remote side to close');
    expect(a.manager.stats().links).toBe(0);
    expect(b.manager.stats().links).toBe(0);
  });

  it('retries a request that gets no answer, and connects once signals flow again', async () => {
    pair = await createPeerPair(stack, { aUid: 'a-small', bUid: 'b-large', manager: { ...fastRetry, connectTimeoutMs: 300 } });
    const { a, b } = pair;
    pair.setForwarding('b', false); // the request is lost
    b.manager.want(a.uid, 'p2p');
    await waitFor(() => statesFor(b, a.uid).includes('down'), 10_000, 'the attempt to time out');
    pair.setForwarding('b', true);
    await waitOpen(pair);
    expect(statesFor(b, a.uid).at(-1)).toBe('open');
  });

  it('destroy closes everything and leaves no timers behind', async () => {
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    pair = await createPeerPair(stack, { manager: fastRetry });
    const { a, b } = pair;
    a.manager.want(b.uid, 'room');
    b.manager.want(a.uid, 'room');
    await waitOpen(pair);
    a.manager.send(b.uid, [text(1, 'bye')]);
    pair.destroy();
    pair = null;
    expect(a.manager.isOpen(b.uid)).toBe(false);
    expect(statesFor(a, b.uid).at(-1)).toBe('closed');
    a.manager.want(b.uid, 'room'); // after destroy: ignored, starts nothing
    // simple-peer's own short timers (100 ms stats polling) finish by themselves.
    await waitFor(
      () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length <= timersBefore,
      3_000,
      'timers to be gone',
    );
  });
});
