// checkFrame (shared/frame.ts), the hand-written frame check every received wire message goes
// through, against the zod schema it stands in for: on every value the two agree on whether it is
// a frame, and on the frame (same keys, same values, undefined kept where zod keeps it).
// Seeded: FUZZ_SEED=<seed>.
import { inspect, isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkFrame, decodeFrames, encodeFrames, Frame, FrameType } from '../shared/frame.js';
import { Packr } from '../shared/msgpack.js';
import { fuzzSeed, Prng } from './helpers/fuzz.js';

const VALUES: readonly unknown[] = [
  undefined, null, true, false, 0, -0, 1, 2, -1, 1.5, NaN, Infinity, -Infinity,
  Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 2 ** 53 + 2, Number.MIN_SAFE_INTEGER, 1_732_000_000_000_001,
  '', 'u/', 'b/room', 'x', '1', 'a'.repeat(200), 'a'.repeat(201), 'é'.repeat(200),
  new Uint8Array(0), new Uint8Array([1, 2, 3]), Buffer.from('hi'), new Uint16Array(2), new ArrayBuffer(4),
  [], [1], {}, { t: 0 }, 10n,
];
const KEYS = ['t', 'st', 's', 'f', 'x', 'b', 'd', 'extra', 'constructor'] as const;
/** Values a field may hold in a valid frame. */
const GOOD: Partial<Record<(typeof KEYS)[number], readonly unknown[]>> = {
  s: [1, 5, 1_732_000_000_000_001], f: [1, 5], x: [1], b: [1], extra: VALUES, constructor: VALUES,
};

/** Usually close to a frame (right t, st, d), so most cases test the optional fields. */
function candidate(rng: Prng): unknown {
  if (rng.chance(0.05)) return rng.pick(VALUES);
  const o: Record<string, unknown> = {};
  if (rng.chance(0.8)) {
    o.t = rng.chance(0.8) ? rng.pick([FrameType.Message, FrameType.Ack]) : rng.pick(VALUES);
    o.st = rng.chance(0.8) ? rng.pick(['u/', 'b/room', 'u/room']) : rng.pick(VALUES);
    if (rng.chance(0.8)) o.d = rng.chance(0.7) ? rng.pick(['hi', new Uint8Array([7])]) : rng.pick(VALUES);
  }
  const extra = rng.int(4);
  for (let i = 0; i < extra; i++) {
    const k = rng.pick(KEYS);
    o[k] = rng.chance(0.5) ? rng.pick(GOOD[k] ?? VALUES) : rng.pick(VALUES);
  }
  return o;
}

describe('checkFrame', () => {
  it('agrees with the Frame schema on generated values', () => {
    const seed = fuzzSeed();
    const rng = new Prng(seed);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const v = candidate(rng);
      const zod = Frame.safeParse(v);
      const mine = checkFrame(v);
      const context = `seed ${seed}, case ${i}: ${String(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)))}`;
      expect(typeof mine !== 'string', context).toBe(zod.success);
      if (zod.success) {
        accepted++;
        expect(mine, context).toStrictEqual(zod.data);
        expect(Object.keys(mine as object), context).toStrictEqual(Object.keys(zod.data));
      }
    }
    // Both answers occur often enough to mean something. Over 200 seeds the generator made
    // 1,886–2,222 frames of 20,000 (median 2,112), so the bound sits well under that.
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(18_000);
  });

  it('encodeFrames (fields by name) carries every value as the generic encoder does', () => {
    const seed = fuzzSeed();
    const rng = new Prng(seed);
    const generic = new Packr();
    const outcome = (encode: () => Uint8Array): unknown => {
      try {
        return generic.unpack(encode());
      } catch (e) {
        return `threw ${(e as Error).message}`;
      }
    };
    for (let i = 0; i < 20_000; i++) {
      // Mostly two frames; sometimes no array at all (the server's tests send such garbage).
      const batch = (rng.chance(0.95) ? [candidate(rng), candidate(rng)] : candidate(rng)) as Frame[];
      const context = `seed ${seed}, case ${i}`;
      // isDeepStrictEqual: vitest's toStrictEqual compares a 'constructor' key's value by identity.
      const [fast, slow] = [outcome(() => encodeFrames(batch)), outcome(() => generic.pack(batch))];
      expect(isDeepStrictEqual(fast, slow), `${context}: ${inspect(fast)} vs ${inspect(slow)}`).toBe(true);
    }
  });

  it('takes the frames the SDK sends and drops what is not in the schema', () => {
    const frames: Frame[] = [
      { t: FrameType.Message, st: 'u/', s: 1_732_000_000_000_001, f: 1_732_000_000_000_001, b: 1, d: new Uint8Array([1, 2]) },
      { t: FrameType.Message, st: 'b/room', s: 3, x: 1, d: 'text' },
      { t: FrameType.Message, st: 'u/room', d: 'unreliable' },
      { t: FrameType.Ack, st: 'u/', s: 0 },
    ];
    const decoded = decodeFrames(encodeFrames(frames));
    expect(decoded).toStrictEqual({ ok: true, frames: frames.map((f) => ({ ...f, ...('d' in f && typeof f.d !== 'string' ? { d: expect.any(Uint8Array) } : {}) })) });
    expect(checkFrame({ t: FrameType.Ack, st: 'u/', s: 4, d: 'x', from: 'mallory' })).toStrictEqual({ t: FrameType.Ack, st: 'u/', s: 4 });
    expect(decodeFrames(encodeFrames([{ t: FrameType.Message, st: 'u/', s: 0, d: '' } as unknown as Frame]))).toMatchObject({ ok: false });
  });
});
