// Data-plane frames: what travels over a peer data channel and, byte for byte, inside
// relay:frame / relay:room on the server path. One wire message is a msgpackr-encoded array of
// frames, so small frames sent in the same tick coalesce into one data-channel message.
//
// The sender of a frame is the user the link (or the authenticated socket) belongs to; a frame
// never names its sender.
import { Packr, type Writer } from './msgpack.js';
import * as z from './zod.js';

/**
 * A stream is one ordered, reliable sequence from one sender to one receiver:
 *   'b/<roomId>'  room broadcasts in that room
 *   'u/<roomId>'  user messages inside that room
 *   'u/'          user messages outside rooms
 */
export type StreamId = string;
export const broadcastStream = (roomId: string): StreamId => `b/${roomId}`;
export const userStream = (roomId = ''): StreamId => `u/${roomId}`;
export function parseStream(st: StreamId): { kind: 'broadcast' | 'user'; roomId: string } | null {
  if (st.startsWith('b/') && st.length > 2) return { kind: 'broadcast', roomId: st.slice(2) };
  if (st.startsWith('u/')) return { kind: 'user', roomId: st.slice(2) };
  return null;
}

export const FrameType = { Message: 0, Ack: 1 } as const;

const bin = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected binary' });

/** A message. Reliable when `s` (sequence, from 1 per stream) is present. */
export const MessageFrame = z.object({
  t: z.literal(FrameType.Message),
  st: z.string().check(z.maxLength(200)),
  s: z.optional(z.int().check(z.positive())),
  /**
   * First sequence number the receiver is owed on this stream. Sent until the receiver has
   * acknowledged something, so a receiver that first hears a later frame (a path switch) knows
   * to wait for the earlier ones instead of skipping them.
   */
  f: z.optional(z.int().check(z.positive())),
  /**
   * 1 = a retransmission after a path switch. The server counts these against a separate, larger
   * budget so that resending a backlog over the relay is not refused as flooding.
   */
  x: z.optional(z.literal(1)),
  /** 1 = binary payload. */
  b: z.optional(z.literal(1)),
  d: z.union([z.string(), bin]),
});
export type MessageFrame = z.infer<typeof MessageFrame>;

/** Cumulative acknowledgement: every frame up to and including `s` on stream `st` arrived. */
export const AckFrame = z.object({
  t: z.literal(FrameType.Ack),
  st: z.string().check(z.maxLength(200)),
  s: z.int().check(z.nonnegative()),
});
export type AckFrame = z.infer<typeof AckFrame>;

export const Frame = z.discriminatedUnion('t', [MessageFrame, AckFrame]);
export type Frame = z.infer<typeof Frame>;

/** Upper bound on frames in one wire message, so a hostile batch cannot make us loop forever. */
export const MAX_FRAMES_PER_BATCH = 4096;

const packr = new Packr();

export function encodeFrames(frames: readonly Frame[]): Uint8Array {
  return encodeFramesView(frames).slice();
}

/**
 * encodeFrames' bytes as a view that the next encode overwrites: only for a caller that hands
 * them to something copying them before it encodes again (a data channel's send()).
 */
export function encodeFramesView(frames: readonly Frame[]): Uint8Array {
  return packr.packViewWith((w) => writeFrames(w, frames));
}

/** fixstr encodings of the frame keys. */
const K_T = 0x74;
const K_S = 0x73;

/**
 * The frame array as msgpack, each frame's fields read by name: the generic encoder reads them by
 * computed key, megamorphic over the frame shapes, and was a quarter of the messaging layer's CPU
 * on a busy link (0.32 -> 0.20 µs for a message and an ack, more in situ). A frame whose keys are
 * exactly its defined schema fields becomes the same map (keys in schema order); any other
 * object (a test's hostile frame, a field set to undefined) goes through the generic encoder.
 */
function writeFrames(w: Writer, frames: readonly Frame[]): void {
  if (!Array.isArray(frames)) {
    w.value(frames);
    return;
  }
  w.count(0x90, 0xdc, frames.length);
  for (const frame of frames) {
    if (!writeFrame(w, frame)) w.value(frame);
  }
}

function writeFrame(w: Writer, frame: Frame): boolean {
  if (typeof frame !== 'object' || frame === null) return false;
  const { t, st, s } = frame;
  if (typeof st !== 'string' || typeof s !== (t === FrameType.Ack ? 'number' : s === undefined ? 'undefined' : 'number')) return false;
  if (t === FrameType.Ack) {
    if (Object.keys(frame).length !== 3) return false;
    w.one(0x83);
    key1(w, K_T);
    w.number(t);
    keySt(w);
    w.string(st);
    key1(w, K_S);
    w.number(s);
    return true;
  }
  if (t !== FrameType.Message) return false;
  const { f, x, b, d } = frame;
  const n = 3 + (s === undefined ? 0 : 1) + (f === undefined ? 0 : 1) + (x === undefined ? 0 : 1) + (b === undefined ? 0 : 1);
  if (Object.keys(frame).length !== n || (typeof d !== 'string' && !(d instanceof Uint8Array))) return false;
  w.one(0x80 | n);
  key1(w, K_T);
  w.number(t);
  keySt(w);
  w.string(st);
  if (s !== undefined) {
    key1(w, K_S);
    w.number(s);
  }
  if (f !== undefined) {
    key1(w, 0x66);
    w.value(f);
  }
  if (x !== undefined) {
    key1(w, 0x78);
    w.value(x);
  }
  if (b !== undefined) {
    key1(w, 0x62);
    w.value(b);
  }
  key1(w, 0x64);
  w.value(d);
  return true;
}

/** A one-letter key: fixstr of length 1. */
function key1(w: Writer, c: number): void {
  const at = w.room(2);
  w.buf[at] = 0xa1;
  w.buf[at + 1] = c;
}

function keySt(w: Writer): void {
  const at = w.room(3);
  w.buf[at] = 0xa2;
  w.buf[at + 1] = 0x73;
  w.buf[at + 2] = 0x74;
}

export type DecodeResult = { ok: true; frames: Frame[] } | { ok: false; error: string };

/** Decodes and validates a wire message. Never throws: bad input is reported, not raised. */
export function decodeFrames(data: Uint8Array): DecodeResult {
  let raw: unknown;
  try {
    raw = packr.unpack(data);
  } catch (e) {
    return { ok: false, error: `undecodable frame: ${(e as Error).message}` };
  }
  if (!Array.isArray(raw)) return { ok: false, error: 'frame batch is not an array' };
  if (raw.length > MAX_FRAMES_PER_BATCH) return { ok: false, error: 'too many frames in one batch' };
  const frames: Frame[] = [];
  for (const item of raw) {
    const frame = checkFrame(item);
    if (typeof frame === 'string') return { ok: false, error: `invalid frame: ${frame}` };
    frames.push(frame);
  }
  return { ok: true, frames };
}

const MAX_STREAM_LENGTH = 200;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

/**
 * What `Frame.safeParse` does, by hand: the frame (a new object of the schema's keys; a key that
 * is present stays present, as zod keeps it) or why it is not one. Every received wire message
 * goes through this, and zod took three quarters of a frame's decoding time (~1.6 µs of 2.2 for
 * a 1 KiB message and its ack). The schemas above stay the definition:
 * test/shared-frame-check.test.ts holds the two to the same answers.
 */
export function checkFrame(v: unknown): Frame | string {
  if (!isObject(v)) return 'not an object';
  const { t, st, s } = v;
  if (typeof st !== 'string' || st.length > MAX_STREAM_LENGTH) return 'bad stream';
  if (t === FrameType.Ack) {
    if (!isInt(s) || s < 0) return 'bad ack seq';
    return { t, st, s };
  }
  if (t !== FrameType.Message) return 'unknown frame type';
  const { f, x, b, d } = v;
  if (s !== undefined && !(isInt(s) && s > 0)) return 'bad seq';
  if (f !== undefined && !(isInt(f) && f > 0)) return 'bad first seq';
  if (x !== undefined && x !== 1) return 'bad resend flag';
  if (b !== undefined && b !== 1) return 'bad binary flag';
  if (typeof d !== 'string' && !(d instanceof Uint8Array)) return 'bad payload';
  const frame: MessageFrame = { t, st } as MessageFrame;
  if ('s' in v) frame.s = s;
  if ('f' in v) frame.f = f;
  if ('x' in v) frame.x = x;
  if ('b' in v) frame.b = b;
  frame.d = d;
  return frame;
}
