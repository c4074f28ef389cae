// The socket.io parser of the signaling link (socket.io's `parser` option, given to the Server and
// to every client of it): each packet travels as ONE binary websocket message, the MessagePack
// array [type, nsp, data?, id?] (msgpack.ts). Why: socket.io's default parser sends a packet that
// holds binary — every relay frame does — as a text header plus one more message per attachment,
// so each relayed frame cost two websocket writes and a reassembly at both ends, and JSON around it.
//
// The Decoder trusts nothing: anything but a well-formed packet (text, truncated or invalid
// MessagePack, unknown packet types, a payload of the wrong shape for its type) throws, which
// socket.io (server and client alike) answers by closing that one connection — the same contract
// as socket.io-parser's Decoder. Binary values arrive as Uint8Array views of the received message
// (Buffers in Node, since the message is one).
import { Packr } from './msgpack.js';

/** socket.io's packet types; the binary variants (5, 6) do not exist here: binary is inline. */
export const PacketType = { CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3, CONNECT_ERROR: 4 } as const;

export interface SocketPacket {
  type: number;
  nsp: string;
  data?: unknown;
  id?: number;
}

/** Event names socket.io keeps for itself (socket.io-parser refuses them in an EVENT too). */
const RESERVED_EVENTS = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

const isPlainObject = (v: unknown): boolean => Object.prototype.toString.call(v) === '[object Object]';

/** Whether `data` is what a packet of `type` may carry (socket.io-parser's rules). */
function dataFits(type: number, data: unknown): boolean {
  switch (type) {
    case PacketType.CONNECT: return data === undefined || isPlainObject(data);
    case PacketType.DISCONNECT: return data === undefined;
    case PacketType.EVENT: {
      if (!Array.isArray(data)) return false;
      const name: unknown = data[0];
      return typeof name === 'number' || (typeof name === 'string' && !RESERVED_EVENTS.has(name));
    }
    case PacketType.ACK: return Array.isArray(data);
    case PacketType.CONNECT_ERROR: return typeof data === 'string' || isPlainObject(data);
    default: return false;
  }
}

/** The packet inside one decoded message, or an Error saying why it is not one. */
function toPacket(value: unknown): SocketPacket {
  if (!Array.isArray(value) || value.length < 2 || value.length > 4) throw new Error('socket parser: a packet is an array of 2 to 4 items');
  const [type, nsp, data, id] = value as [unknown, unknown, unknown, unknown];
  if (typeof type !== 'number' || !dataFits(type, data)) throw new Error(`socket parser: invalid packet of type ${String(type)}`);
  if (typeof nsp !== 'string' || !nsp.startsWith('/')) throw new Error('socket parser: invalid namespace');
  const packet: SocketPacket = { type, nsp };
  if (data !== undefined) packet.data = data;
  if (id !== undefined && id !== null) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw new Error('socket parser: invalid ack id');
    packet.id = id;
  }
  return packet;
}

/**
 * One codec for every Encoder and Decoder: reading keeps no state, and writing is synchronous and
 * copies its result out, while a Packr per connection would hold an 8 KiB write buffer each.
 */
const packr = new Packr();

export class Encoder {

  /** One message per packet (socket.io takes an array: its default parser may need several). */
  encode(packet: SocketPacket): Uint8Array[] {
    const { type, nsp, data, id } = packet;
    const fields = id !== undefined && id !== null ? [type, nsp, data, id] : data !== undefined ? [type, nsp, data] : [type, nsp];
    return [packr.pack(fields)];
  }
}

type DecodedListener = (packet: SocketPacket) => void;

/** Emits 'decoded' once per message; the on/off/removeListener surface is what socket.io calls. */
export class Decoder {
  private listeners: DecodedListener[] = [];

  add(message: unknown): void {
    const bytes = message instanceof Uint8Array ? message : message instanceof ArrayBuffer ? new Uint8Array(message) : null;
    if (!bytes) throw new Error(`socket parser: expected a binary message, got ${typeof message}`);
    const packet = toPacket(packr.unpack(bytes));
    const listeners = this.listeners.length === 1 ? this.listeners : this.listeners.slice();
    for (const fn of listeners) fn(packet);
  }

  on(event: string, fn: DecodedListener): this {
    if (event === 'decoded') this.listeners.push(fn);
    return this;
  }

  /** Removes `fn`, or every listener when called without one. */
  off(event?: string, fn?: DecodedListener): this {
    if (event === undefined || event === 'decoded') this.listeners = fn ? this.listeners.filter((l) => l !== fn) : [];
    return this;
  }

  removeListener(event: string, fn: DecodedListener): this {
    return this.off(event, fn);
  }

  /** Nothing is buffered between messages, so nothing to free. */
  destroy(): void {}
}

/** The value of socket.io's `parser` option, for the Server and for socket.io-client alike. */
export const socketParser = { Encoder, Decoder };
