// A broadcast's WebSocket frame is built once, not once per member.
//
// socket.io's adapter encodes a broadcast packet once, and for a text packet it also builds the
// WebSocket frame once (`wsPreEncodedFrame`), which engine.io then writes to every member's socket
// as is. It skips binary packets, and with this server's parser (shared/socket-parser.ts) every
// packet is binary: each member's socket went through engine.io's encoder and ws's framing again,
// allocating a header per member. Wrapping the adapter's `_encode`, which socket.io's own adapters
// call for every broadcast (in-memory and cluster alike), gives binary packets the same shortcut.
// Measured (bench/server-capacity.ts, relayed fan-out to a 1,000-member room, same machine and
// hour): 105k deliveries/s without it, 169k with it.
//
// engine.io uses a pre-encoded frame only over a websocket without per-message deflate (this
// server's only transport, deflate off); anything else ignores the option and encodes as before.

/** What the adapter passes along with the encoded packet to every member's socket. */
interface PacketOptions {
  wsPreEncodedFrame?: unknown;
}

type Encoding = { _encode(packet: unknown, opts: PacketOptions): unknown[] };

/**
 * Hooks the adapter of a namespace (`io.of('/').adapter`). False if this socket.io has no such
 * method (then broadcasts are framed per member, as socket.io does on its own).
 */
export function preEncodeBroadcastFrames(adapter: object): boolean {
  const target = adapter as Partial<Encoding>;
  if (typeof target._encode !== 'function') return false;
  const encode = target._encode.bind(adapter);
  target._encode = (packet: unknown, opts: PacketOptions): unknown[] => {
    const encoded = encode(packet, opts);
    if (encoded.length === 1 && encoded[0] instanceof Uint8Array && opts.wsPreEncodedFrame === undefined) {
      opts.wsPreEncodedFrame = binaryFrame(encoded[0]);
    }
    return encoded;
  };
  return true;
}

/**
 * Up to this payload size header and payload go in one buffer (one write per member); above it
 * they stay apart (ws writes the two corked), so a large payload is never copied: relayed to one
 * user, where nothing is shared, a 64 KiB copy cost more than the framing it saves.
 */
export const JOIN_UNDER_BYTES = 16 * 1024;

/**
 * One final, unmasked binary WebSocket frame holding `payload` (RFC 6455 §5.2: a server never
 * masks), as the buffer list ws's `sendFrame` writes: [frame] or [header, payload]. Written here
 * rather than with ws's `Sender.frame`: ws is socket.io's dependency, not this package's.
 */
export function binaryFrame(payload: Uint8Array): Buffer[] {
  const n = payload.byteLength;
  const headerBytes = n < 126 ? 2 : n < 0x10000 ? 4 : 10;
  const joined = n < JOIN_UNDER_BYTES;
  const header = Buffer.allocUnsafe(headerBytes + (joined ? n : 0));
  header[0] = 0x82; // FIN + opcode 2 (binary)
  if (n < 126) header[1] = n;
  else if (n < 0x10000) {
    header[1] = 126;
    header.writeUInt16BE(n, 2);
  } else {
    header[1] = 127;
    header.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    header.writeUInt32BE(n >>> 0, 6);
  }
  if (!joined) return [header, Buffer.from(payload.buffer, payload.byteOffset, n)];
  header.set(payload, headerBytes);
  return [header];
}
