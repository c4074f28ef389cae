// Building the message frames the messaging layer sends, and normalizing what it receives.
import { FrameType, type MessageFrame } from '../../shared/frame.js';

export type Payload = string | Uint8Array;

export function makeFrame(st: string, s: number | undefined, data: Payload): MessageFrame {
  const frame: MessageFrame = { t: FrameType.Message, st, d: data };
  if (s !== undefined) frame.s = s;
  if (typeof data !== 'string') frame.b = 1;
  return frame;
}

export function withFirst(frame: MessageFrame, f: number, resend: boolean): MessageFrame {
  const wire: MessageFrame = { ...frame, f };
  if (resend) wire.x = 1;
  return wire;
}

/** Buffers (Node) become plain Uint8Array views, so apps see one binary type everywhere. */
export function normalizePayload(d: string | Uint8Array): Payload {
  if (typeof d === 'string') return d;
  return d.constructor === Uint8Array ? d : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

export function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
