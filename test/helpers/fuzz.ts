// Seeded generators of hostile payloads for the fuzz tests. Everything derives from one 32-bit
// seed (FUZZ_SEED in the environment, else a random one the test prints on failure), so a failing
// case reproduces exactly.
import { encode } from 'msgpackr';
import { encodeFrames, type Frame } from '../../shared/frame.js';

/** mulberry32: small, fast, and good enough to pick cases. */
export class Prng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** The seed of this run: FUZZ_SEED when set (to reproduce a failure), else a fresh one. */
export function fuzzSeed(): number {
  const fromEnv = process.env.FUZZ_SEED;
  if (fromEnv !== undefined && fromEnv !== '') return Number(fromEnv) >>> 0;
  return (Math.random() * 2 ** 32) >>> 0;
}

const STRINGS = [
  '', ' ', 'a', 'alice', 'bob', 'room', 'room with spaces', '../../etc/passwd', 'é'.repeat(30), '\u0000', '\ud800',
  'x'.repeat(129), 'x'.repeat(5000), '*', 'u/', 'b/', 'b/room', 'u/room', '__proto__', 'constructor', 'toString',
  'http://127.0.0.1:1/', 'javascript:alert(1)', 'file:///etc/passwd', 'http://[::1]:1/', 'ftp://127.0.0.1/',
  '001' + 'A'.repeat(200), 'rtsmeshtestapp0000000000', '{"json":true}', 'NaN', '-1', '1e309',
];
const NUMBERS = [0, -0, 1, -1, 1.5, -2, 2 ** 31, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 1e-300, 0x7fffffff];
const FIELD_NAMES = [
  'appId', 'uid', 'token', 'sessionId', 'businessId', 'sdkVersion', 'roomId', 'extraInfo', 'rejoin', 'to', 'frame',
  'except', 'signal', 'msgId', 'data', 'url', 'signature', 'from', 'type', '__proto__', 'constructor',
];

/** Any JSON-ish or binary value, nested up to `depth`. */
export function randomValue(r: Prng, depth = 3): unknown {
  switch (r.int(depth > 0 ? 11 : 8)) {
    case 0: return null;
    case 1: return r.chance(0.5);
    case 2: return r.pick(NUMBERS);
    case 3: return r.int(1_000_000) - 500_000;
    case 4: return r.pick(STRINGS);
    case 5: return String.fromCharCode(...Array.from({ length: r.int(40) }, () => r.int(0x3000)));
    case 6: return r.bytes(r.int(64));
    case 7: return randomFrameBytes(r);
    case 8: return Array.from({ length: r.int(6) }, () => randomValue(r, depth - 1));
    case 9: return randomObject(r, depth - 1);
    default: return nested(r, 20 + r.int(60));
  }
}

function randomObject(r: Prng, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = r.int(6);
  for (let i = 0; i < n; i++) {
    const key = r.chance(0.8) ? r.pick(FIELD_NAMES) : r.pick(STRINGS);
    setOwn(o, key, randomValue(r, depth));
  }
  return o;
}

/** An own enumerable property even for `__proto__` (plain assignment would change the prototype). */
function setOwn(o: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

function nested(r: Prng, depth: number): unknown {
  let v: unknown = r.pick(STRINGS);
  for (let i = 0; i < depth; i++) v = r.chance(0.5) ? [v] : setOwn({}, r.pick(FIELD_NAMES), v);
  return v;
}

/** Frame batches that are almost right: msgpack of a frame-like array with one thing wrong, or junk. */
export function randomFrameBytes(r: Prng): Uint8Array {
  switch (r.int(6)) {
    case 0: return r.bytes(1 + r.int(100));
    case 1: return new Uint8Array(encode(randomValue(r, 1)));
    case 2: return new Uint8Array(0);
    default: {
      const frames = Array.from({ length: 1 + r.int(4) }, () => randomFrame(r));
      return encodeFrames(frames as Frame[]);
    }
  }
}

function randomFrame(r: Prng): Record<string, unknown> {
  const f: Record<string, unknown> = {
    t: r.chance(0.7) ? r.pick([0, 1]) : randomValue(r, 0),
    st: r.chance(0.7) ? r.pick(['u/', 'b/room', 'u/room', 'b/', 'zz', 'b/other']) : randomValue(r, 0),
  };
  if (r.chance(0.6)) f.s = r.chance(0.7) ? r.pick([1, 2, 2 ** 50, 0, -1, 1.5]) : randomValue(r, 0);
  if (r.chance(0.3)) f.f = r.pick([1, 0, 2 ** 53, 'x']);
  if (r.chance(0.3)) f.x = r.pick([1, 2, true]);
  if (r.chance(0.7)) f.d = r.chance(0.5) ? r.pick(STRINGS) : randomValue(r, 0);
  if (r.chance(0.2)) f.from = r.pick(['alice', 'bob', 'mallory']);
  return f;
}

/**
 * A payload for `event`: mostly objects with the event's own field names and wrong or hostile
 * values (the interesting part of a schema), sometimes anything at all.
 */
export function randomPayload(r: Prng, fields: readonly string[]): unknown {
  if (r.chance(0.2)) return randomValue(r);
  const o: Record<string, unknown> = {};
  for (const name of fields) {
    if (r.chance(0.15)) continue;
    setOwn(o, name, randomValue(r, 2));
  }
  if (r.chance(0.2)) setOwn(o, r.pick(FIELD_NAMES), randomValue(r, 1));
  return o;
}
