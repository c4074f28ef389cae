// A broadcast's WebSocket frame is built once and written to every member as is
// (signaling/socket/broadcast-frames.ts): it must be a valid frame at each of the three length
// encodings of RFC 6455, and reach every member byte for byte.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrames, type Frame } from '../shared/frame.js';
import { binaryFrame, JOIN_UNDER_BYTES, preEncodeBroadcastFrames } from '../signaling/socket/broadcast-frames.js';
import { collect, request, startTestServer, waitFor, type TestServer } from './helpers/server.js';

type Relayed = { from: string; frame: Uint8Array };
const msg = (s: number, d: string): Frame => ({ t: 0, st: 'b/room', s, d }) as Frame;

describe('binaryFrame', () => {
  const whole = (list: Buffer[]): Buffer => Buffer.concat(list);

  it('writes a final unmasked binary frame with the shortest length encoding', () => {
    expect(binaryFrame(Uint8Array.of(7, 8, 9)).map((b) => [...b])).toEqual([[0x82, 3, 7, 8, 9]]);

    const medium = binaryFrame(new Uint8Array(300).fill(1));
    expect(medium).toHaveLength(1);
    expect([...medium[0].subarray(0, 4)]).toEqual([0x82, 126, 300 >> 8, 300 & 0xff]);
    expect(medium[0].byteLength).toBe(304);

    const large = whole(binaryFrame(new Uint8Array(70_000).fill(2)));
    expect([...large.subarray(0, 2)]).toEqual([0x82, 127]);
    expect(large.readBigUInt64BE(2)).toBe(70_000n);
    expect(large.byteLength).toBe(70_010);
    expect(large[10]).toBe(2);

    // The boundaries themselves: 125 fits the first byte, 126 and 65,535 take two, 65,536 eight.
    expect(binaryFrame(new Uint8Array(125))[0][1]).toBe(125);
    expect(binaryFrame(new Uint8Array(126))[0][1]).toBe(126);
    expect(whole(binaryFrame(new Uint8Array(65_535))).readUInt16BE(2)).toBe(65_535);
    expect(binaryFrame(new Uint8Array(65_536))[0][1]).toBe(127);
  });

  it('joins header and payload of a small frame, and never copies a large payload', () => {
    const small = new Uint8Array(JOIN_UNDER_BYTES - 1);
    expect(binaryFrame(small)).toHaveLength(1);
    const big = new Uint8Array(JOIN_UNDER_BYTES).fill(5);
    const [header, payload] = binaryFrame(big);
    expect([...header]).toEqual([0x82, 126, JOIN_UNDER_BYTES >> 8, JOIN_UNDER_BYTES & 0xff]);
    // The same memory, not a copy of it.
    expect(payload.buffer).toBe(big.buffer);
    expect(payload.byteLength).toBe(big.byteLength);
  });
});

describe('preEncodeBroadcastFrames', () => {
  it('gives a binary broadcast its frame once, and leaves text packets and set frames alone', () => {
    const adapter = { _encode: (packet: unknown, _opts: object): unknown[] => [packet] };
    expect(preEncodeBroadcastFrames(adapter)).toBe(true);

    const binary: { wsPreEncodedFrame?: unknown } = {};
    expect(adapter._encode(Buffer.from([1, 2]), binary)).toEqual([Buffer.from([1, 2])]);
    expect(binary.wsPreEncodedFrame).toEqual([Buffer.from([0x82, 2, 1, 2])]);

    const text: { wsPreEncodedFrame?: unknown } = {};
    adapter._encode('2["x"]', text);
    expect(text.wsPreEncodedFrame).toBeUndefined();

    const already = { wsPreEncodedFrame: 'kept' };
    adapter._encode(Buffer.from([3]), already);
    expect(already.wsPreEncodedFrame).toBe('kept');
  });

  it('reports an adapter it cannot hook', () => {
    expect(preEncodeBroadcastFrames({})).toBe(false);
  });
});

describe('relay:room through pre-encoded frames', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.close();
  });

  it('reaches every member byte for byte at every length encoding', async () => {
    const [alice, bob, carol] = await t.inRoom('room', 'alice', 'bob', 'carol');
    // What the server's (hooked) adapter hands engine.io for each broadcast.
    const adapter = t.server.io.of('/').adapter as unknown as { _encode(packet: unknown, opts: { wsPreEncodedFrame?: unknown }): unknown[] };
    const hooked = adapter._encode.bind(adapter);
    const prebuilt: boolean[] = [];
    adapter._encode = (packet, opts) => {
      const encoded = hooked(packet, opts);
      // Only the relays: a presence event of the joins may still be on its way.
      if ((packet as { data?: unknown[] }).data?.[0] === 'relay:frame') prebuilt.push(opts.wsPreEncodedFrame !== undefined);
      return encoded;
    };
    const seen = [collect<Relayed>(bob, 'relay:frame'), collect<Relayed>(carol, 'relay:frame')];
    // Under 126 bytes, under 64 KiB, and over it (two messages in one batch).
    const batches = [
      encodeFrames([msg(1, 'hi')]),
      encodeFrames([msg(2, 'x'.repeat(5_000))]),
      encodeFrames([msg(3, 'y'.repeat(40_000)), msg(4, 'z'.repeat(40_000))]),
    ];
    expect(batches.map((b) => b.byteLength < 126)).toEqual([true, false, false]);
    expect(batches[2].byteLength).toBeGreaterThan(65_536);
    for (const frame of batches) expect(await request(alice, 'relay:room', { roomId: 'room', frame })).toEqual({ code: 0 });

    await waitFor(() => seen.every((s) => s.length === batches.length));
    for (const received of seen) {
      expect(received.map((ev) => ev.from)).toEqual(['alice', 'alice', 'alice']);
      received.forEach((ev, i) => expect(Buffer.from(ev.frame).equals(Buffer.from(batches[i]))).toBe(true));
      const last = decodeFrames(new Uint8Array(received[2].frame));
      expect(last.ok && last.frames.map((f) => f.s)).toEqual([3, 4]);
    }
    expect(prebuilt).toEqual([true, true, true]);
    // Both sockets are still up: a malformed frame would have made the client close them.
    expect(bob.connected && carol.connected).toBe(true);
  });
});
