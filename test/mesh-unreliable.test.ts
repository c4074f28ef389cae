// MessageConfig 1 (UnreliableOrdered) and 2 (UnreliableUnordered): over an open link they take
// the unreliable data channels (no retransmits) — most arrive, none twice, config 1 in order —
// and without a link they go by relay with the same API and result codes.
import { describe, expect, it } from 'vitest';
import { MessageConfig } from '../client/index.js';
import type { ChannelKind } from '../client/index.js';
import { FrameType, type Frame } from '../shared/frame.js';
import { useTestbed } from './helpers/rts-clients.js';
import { waitFor, type TestServer } from './helpers/server.js';
import { FAST_LIMITS, linksOf, meshParams, relayed, resultsOf, texts, waitForLink } from './helpers/mesh.js';

const bed = useTestbed();
const { clients } = bed;
let srv: TestServer;

const N = 200;

/** The numbers of the `tag` messages received, in arrival order. */
const numbers = (received: string[], tag: string): number[] =>
  received.filter((t) => t.includes(`:${tag}`)).map((t) => Number(t.slice(t.indexOf(tag) + tag.length)));

describe('unreliable message configs', () => {
  it('go over the unreliable channels of an open link: most arrive, none twice, config 1 in order', async () => {
    srv = await bed.start({ limits: FAST_LIMITS });
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((uid) => clients.login(uid, meshParams())));
    const a = await alice.join('U');
    const b = await bob.join('U');
    await waitForLink(alice, bob);
    const kinds = new Map<ChannelKind, number>();
    linksOf(bob).linkFor('alice')!.on('frames', (frames: Frame[], kind: ChannelKind) => {
      const messages = frames.filter((f) => f.t === FrameType.Message).length;
      if (messages > 0) kinds.set(kind, (kinds.get(kind) ?? 0) + messages);
    });
    const relayedBefore = relayed(srv);

    const ordered: number[] = [];
    const unordered: number[] = [];
    for (let i = 0; i < N; i++) {
      ordered.push(a.room.sendUserMessage('bob', `ord${i}`, MessageConfig.UnreliableOrdered));
      unordered.push(alice.rts.sendMessage('bob', `unord${i}`, MessageConfig.UnreliableUnordered));
    }
    const bin = alice.rts.sendBinaryMessage('bob', Uint8Array.of(7, 7, 7), MessageConfig.UnreliableOrdered);
    // Handed to the channel = success: there is no acknowledgement to wait for.
    expect(await resultsOf(a.rec, 'onUserMessageSendResult', ordered)).toEqual(ordered.map(() => 0));
    expect(await resultsOf(alice.rec, 'onMessageSendResult', [...unordered, bin])).toEqual([...unordered, bin].map(() => 0));

    // Loss is allowed, so wait for "most", then for the stragglers a little.
    await waitFor(() => numbers(texts(b.rec, 'onUserMessageReceived'), 'ord').length >= N / 2
      && numbers(texts(bob.rec, 'onMessageReceived'), 'unord').length >= N / 2, 10_000, 'most unreliable messages');
    await waitFor(() => numbers(texts(b.rec, 'onUserMessageReceived'), 'ord').length === N
      && numbers(texts(bob.rec, 'onMessageReceived'), 'unord').length === N, 2_000, 'the rest').catch(() => undefined);
    const gotOrdered = numbers(texts(b.rec, 'onUserMessageReceived'), 'ord');
    const gotUnordered = numbers(texts(bob.rec, 'onMessageReceived'), 'unord');
    expect(new Set(gotOrdered).size).toBe(gotOrdered.length);
    expect(new Set(gotUnordered).size).toBe(gotUnordered.length);
    expect(gotOrdered).toEqual([...gotOrdered].sort((x, y) => x - y));
    expect(gotOrdered.every((n) => n >= 0 && n < N) && gotUnordered.every((n) => n >= 0 && n < N)).toBe(true);
    expect(texts(b.rec, 'onUserMessageReceived').every((t) => t.startsWith('alice:'))).toBe(true);
    // They really took the unreliable channels, and never the relay.
    expect(kinds.get('unreliable-ordered')).toBeGreaterThanOrEqual(gotOrdered.length);
    expect(kinds.get('unreliable-unordered')).toBeGreaterThanOrEqual(gotUnordered.length);
    expect(kinds.get('reliable') ?? 0).toBe(0);
    expect(relayed(srv)).toBe(relayedBefore);

    // The reliable path is unaffected by all this.
    const reliable = a.room.sendUserMessage('bob', 'reliable after');
    expect(await resultsOf(a.rec, 'onUserMessageSendResult', [reliable])).toEqual([0]);
    expect(kinds.get('reliable')).toBeGreaterThan(0);
  });

  it('go by relay, all of them, when there is no link', async () => {
    srv = await bed.start({ limits: FAST_LIMITS });
    const alice = await clients.login('alice', meshParams('wrtc', { relayOnly: true }));
    const bob = await clients.login('bob', meshParams());
    const a = await alice.join('U');
    const b = await bob.join('U');
    const ids1 = Array.from({ length: 50 }, (_, i) => a.room.sendUserMessage('bob', `ord${i}`, MessageConfig.UnreliableOrdered));
    const ids2 = Array.from({ length: 50 }, (_, i) => alice.rts.sendMessage('bob', `unord${i}`, MessageConfig.UnreliableUnordered));
    expect(await resultsOf(a.rec, 'onUserMessageSendResult', ids1)).toEqual(ids1.map(() => 0));
    expect(await resultsOf(alice.rec, 'onMessageSendResult', ids2)).toEqual(ids2.map(() => 0));
    // The relay path is reliable and ordered anyway.
    await waitFor(() => b.rec.count('onUserMessageReceived') === 50 && bob.rec.count('onMessageReceived') === 50, 10_000, 'all by relay');
    expect(numbers(texts(b.rec, 'onUserMessageReceived'), 'ord')).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(numbers(texts(bob.rec, 'onMessageReceived'), 'unord')).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(relayed(srv)).toBe(100);
    // Unreliable messages to a user who is not there fail like reliable ones.
    const nobody = alice.rts.sendMessage('nobody', 'x', MessageConfig.UnreliableOrdered);
    expect(await resultsOf(alice.rec, 'onMessageSendResult', [nobody])).toEqual([3]);
  });
});
