// Building the message frames the messaging layer sends, and normalizing what it receives.
import { FrameType, type MessageFrame } from '../../shared/frame.js';

export type Payload = string | Uint8Array;

export function makeFrame(st: string, s: number | undefined, data: Payload): MessageFrame {
  const frame: MessageFrame = { t: FrameType.Message, st, d: data };
  if (s !== undefined) frame.s = s;
  if (typeof data !== 'string') frame.b = 1;
  return frame;
}

/**
 * A copy of `frame` with first-owed seq `f` (none: undefined) and x:1 when `resend`. Built field
 * by field: V8 (Node 20) takes a slow path for a spread that adds properties the source lacks,
 * ~1 µs a call, on every frame sent.
 */
function rebuild(frame: MessageFrame, f: number | undefined, resend: boolean): MessageFrame {
  const wire: MessageFrame = { t: frame.t, st: frame.st, d: frame.d };
  if (frame.s !== undefined) wire.s = frame.s;
  if (f !== undefined) wire.f = f;
  if (resend || frame.x === 1) wire.x = 1;
  if (frame.b === 1) wire.b = 1;
  return wire;
}

/** `frame` naming `f` as the first seq the receiver is owed (x:1 for a resend). */
export function withFirst(frame: MessageFrame, f: number, resend: boolean): MessageFrame {
  return rebuild(frame, f, resend);
}

/** `frame` marked as sent again (x:1). */
export function asResend(frame: MessageFrame): MessageFrame {
  return rebuild(frame, frame.f, true);
}

/** Payloads up to this size are copied into a shared slab (see copyPayload). */
const SLAB_PAYLOAD_MAX = 4 * 1024;
const SLAB_BYTES = 16 * 1024;
let slab = new Uint8Array(0);
let slabUsed = 0;

/**
 * The SDK's own copy of an app's binary payload, taken at the send call (the app may reuse its
 * buffer at once; the copy waits for its ack). A small payload gets a view into a 16 KiB slab
 * shared with the next ones, as Node's Buffer pool does: an ArrayBuffer of its own per message
 * cost more than the rest of the SDK's path (allocation, backing store, sweeping; a 1 KiB
 * slice() was 10% of a ping-pong's CPU). Only the messaging layer sees these views (frame
 * payloads, encoded by copying), and a live one keeps at most its 16 KiB slab alive.
 */
export function copyPayload(bytes: Uint8Array): Uint8Array {
  const n = bytes.byteLength;
  if (n > SLAB_PAYLOAD_MAX) return bytes.slice();
  if (slabUsed + n > slab.byteLength) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const copy = slab.subarray(slabUsed, slabUsed + n);
  copy.set(bytes);
  slabUsed += n;
  return copy;
}

/** Buffers (Node) become plain Uint8Array views, so apps see one binary type everywhere. */
export function normalizePayload(d: string | Uint8Array): Payload {
  if (typeof d === 'string') return d;
  return d.constructor === Uint8Array ? d : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

export function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
