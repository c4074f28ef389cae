// The browser's MessagePack codec (shared/msgpack.ts) against msgpackr as shared/frame.ts
// configures it: each reads what the other writes, for every kind of value a frame holds, and
// hostile bytes are refused without allocating what their headers claim.
import { Packr as Msgpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { encodeFrames, FrameType } from '../shared/frame.js';
import { Packr as Lite } from '../shared/msgpack.js';

const msgpackr = new Msgpackr({ useRecords: false, moreTypes: false, int64AsType: 'number' });
const lite = new Lite();

/** Deterministic values covering every encoded form (fix, 8, 16, 32 and 64 bits). */
function samples(): unknown[] {
  const ints = [0, 1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 1_732_000_000_000_000, Number.MAX_SAFE_INTEGER,
    -1, -32, -33, -128, -129, -32_768, -32_769, -(2 ** 31), -(2 ** 31) - 1, Number.MIN_SAFE_INTEGER];
  const floats = [0.5, -1.25, 1e300, Math.PI, 2 ** 60];
  const strings = ['', 'a', 'x'.repeat(31), 'x'.repeat(32), 'ü€😀'.repeat(40), 'y'.repeat(70_000)];
  const bins = [0, 1, 255, 256, 70_000].map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff));
  const arrays = [[], [1, 'two', null], Array.from({ length: 15 }, (_, i) => i), Array.from({ length: 16 }, (_, i) => i), Array.from({ length: 70_000 }, (_, i) => i & 7)];
  const maps = [{}, { t: 0, st: 'b/room', s: 1_732_000_000_000_001, d: 'hi' }, Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])), { nested: { deeper: [{ a: true, b: false }] } }];
  return [null, true, false, ...ints, ...floats, ...strings, ...bins, ...arrays, ...maps];
}

/** Uint8Array and Buffer compare equal by content. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return { bin: [...v] };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

describe('the browser MessagePack codec', () => {
  it.each(samples().map((v, i) => [i, v]))('reads what msgpackr writes and the other way round (sample %i)', (_i, value) => {
    expect(plain(lite.unpack(msgpackr.pack(value)))).toEqual(plain(value));
    expect(plain(msgpackr.unpack(lite.pack(value) as Buffer))).toEqual(plain(value));
  });

  it('keeps undefined as msgpackr does (fixext 1, type 0) and binary as bytes', () => {
    const frame = { t: FrameType.Message, st: 'u/', s: 7, f: undefined, d: new Uint8Array([1, 2, 3]) };
    expect(plain(lite.unpack(msgpackr.pack(frame)))).toEqual(plain(frame));
    const back = msgpackr.unpack(lite.pack(frame) as Buffer) as Record<string, unknown>;
    expect('f' in back && back.f === undefined).toBe(true);
    expect(lite.unpack(encodeFrames([{ t: FrameType.Ack, st: 'b/r', s: 42 }]))).toEqual([{ t: FrameType.Ack, st: 'b/r', s: 42 }]);
  });

  it('refuses hostile bytes with an Error and allocates nothing they claim', () => {
    const hostile: Array<[string, number[]]> = [
      ['empty', []],
      ['a str32 claiming 4 GiB', [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]],
      ['a bin32 claiming 4 GiB', [0xc6, 0xff, 0xff, 0xff, 0xff]],
      ['an array32 claiming 4 billion items', [0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]],
      ['a map32 claiming 4 billion entries', [0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x61, 0x01]],
      ['a map with a binary key', [0x81, 0xc4, 0x01, 0x00, 0x01]],
      ['an unknown ext type', [0xd4, 0x05, 0x00]],
      ['a reserved byte', [0xc1]],
      ['trailing bytes', [0x01, 0x02]],
      ['a truncated uint64', [0xcf, 0x00, 0x00]],
    ];
    for (const [what, bytes] of hostile) {
      expect(() => lite.unpack(Uint8Array.from(bytes)), what).toThrow(/msgpack/);
    }
  });

  it('never lets a __proto__ key reach an object prototype', () => {
    const bytes = msgpackr.pack({ ['__proto__']: { polluted: true }, ok: 1 });
    const out = lite.unpack(bytes) as Record<string, unknown>;
    expect(out).toEqual({ ok: 1 });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
