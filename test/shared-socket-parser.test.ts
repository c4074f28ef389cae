// The signaling link's socket.io parser (shared/socket-parser.ts): every packet type survives the
// trip as exactly one binary message, binary included; anything else a peer might send is refused
// with an Error (socket.io then closes that one connection), and a real server refuses such a
// connection and lives on.
import { io as connectClient } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Packr } from '../shared/msgpack.js';
import { Decoder, Encoder, PacketType, socketParser, type SocketPacket } from '../shared/socket-parser.js';
import { request, startTestServer, type TestServer } from './helpers/server.js';

const pack = (v: unknown): Uint8Array => new Packr().pack(v);

/** Everything the Decoder emits for one message, or the Error it throws. */
function decodeAll(message: unknown): SocketPacket[] {
  const out: SocketPacket[] = [];
  const d = new Decoder();
  d.on('decoded', (p) => out.push(p));
  d.add(message);
  return out;
}

const PACKETS: [string, SocketPacket][] = [
  ['CONNECT without auth', { type: PacketType.CONNECT, nsp: '/' }],
  ['CONNECT with auth', { type: PacketType.CONNECT, nsp: '/', data: { token: 'x', n: 1 } }],
  ['CONNECT reply', { type: PacketType.CONNECT, nsp: '/', data: { sid: 'abc' } }],
  ['DISCONNECT', { type: PacketType.DISCONNECT, nsp: '/' }],
  ['EVENT', { type: PacketType.EVENT, nsp: '/', data: ['presence:query', { uid: 'alice' }] }],
  ['EVENT with an ack id', { type: PacketType.EVENT, nsp: '/', data: ['login', { appId: 'a' }], id: 0 }],
  ['EVENT with binary and an ack id', { type: PacketType.EVENT, nsp: '/', data: ['relay:frame', { to: 'bob', frame: new Uint8Array([1, 2, 255]) }], id: 4_000_000_000 }],
  ['EVENT with several binaries', { type: PacketType.EVENT, nsp: '/chat', data: ['x', new Uint8Array(70_000).fill(7), [new Uint8Array(0)]] }],
  ['EVENT named by a number', { type: PacketType.EVENT, nsp: '/', data: [12, null] }],
  ['ACK', { type: PacketType.ACK, nsp: '/', data: [{ code: 0 }], id: 17 }],
  ['ACK with binary', { type: PacketType.ACK, nsp: '/', data: [{ code: 0, frame: new Uint8Array([9]) }], id: 3 }],
  ['CONNECT_ERROR as an object', { type: PacketType.CONNECT_ERROR, nsp: '/', data: { message: 'Invalid namespace' } }],
  ['CONNECT_ERROR as a string', { type: PacketType.CONNECT_ERROR, nsp: '/', data: 'nope' }],
];

describe('socket parser round trip', () => {
  it.each(PACKETS)('%s: one binary message that decodes to the same packet', (_name, packet) => {
    const messages = new Encoder().encode(packet);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toBeInstanceOf(Uint8Array);
    expect(decodeAll(messages[0])).toEqual([packet]);
    // Browsers hand binary websocket messages over as ArrayBuffers.
    const copy = messages[0].slice();
    expect(decodeAll(copy.buffer)).toEqual([packet]);
  });

  it('binary decoded from a Node Buffer stays a Buffer view (as socket.io-parser gave the server)', () => {
    const [message] = new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['e', new Uint8Array([5, 6])] });
    const [packet] = decodeAll(Buffer.from(message));
    const bin = (packet.data as unknown[])[1];
    expect(Buffer.isBuffer(bin)).toBe(true);
    expect([...(bin as Uint8Array)]).toEqual([5, 6]);
  });

  it('listeners come and go the way socket.io subscribes them (on, off, removeListener)', () => {
    const d = new Decoder();
    const seen: number[] = [];
    const a = (p: SocketPacket): void => void seen.push(p.type);
    const b = (p: SocketPacket): void => void seen.push(p.type * 10);
    d.on('decoded', a).on('decoded', b);
    const [msg] = new Encoder().encode({ type: PacketType.ACK, nsp: '/', data: [], id: 1 });
    d.add(msg);
    d.removeListener('decoded', a);
    d.add(msg);
    d.off('decoded', b);
    d.add(msg);
    expect(seen).toEqual([3, 30, 30]);
    d.destroy();
  });
});

describe('socket parser refuses what is not a packet', () => {
  const deep = (n: number): Uint8Array => new Uint8Array([0x93, 0x02, 0xa1, 0x2f, ...new Array<number>(n).fill(0x91), 0xc0]);
  const BAD: [string, unknown][] = [
    ['text (socket.io default parser)', '0'],
    ['text EVENT', '2["login",{}]'],
    ['a number', 42],
    ['null', null],
    ['an object', { type: 2, nsp: '/', data: ['x'] }],
    ['an empty message', new Uint8Array(0)],
    ['truncated msgpack', pack([2, '/', ['x', 'y']]).subarray(0, 6)],
    ['trailing bytes', new Uint8Array([...pack([2, '/', ['x']]), 0])],
    ['an unsupported msgpack type', new Uint8Array([0xc1])],
    ['a huge array header', new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff])],
    ['not an array', pack({ type: 2, nsp: '/', data: ['x'] })],
    ['too short', pack([2])],
    ['too long', pack([2, '/', ['x'], 1, 'extra'])],
    ['type as a string', pack(['2', '/', ['x']])],
    ['type BINARY_EVENT', pack([5, '/', ['x']])],
    ['type BINARY_ACK', pack([6, '/', [], 1])],
    ['type 99', pack([99, '/', ['x']])],
    ['type -1', pack([-1, '/'])],
    ['type 2.5', pack([2.5, '/', ['x']])],
    ['type 2^40', pack([2 ** 40, '/', ['x']])],
    ['namespace not a string', pack([2, 7, ['x']])],
    ['namespace without a slash', pack([2, 'chat', ['x']])],
    ['EVENT without data', pack([2, '/'])],
    ['EVENT data not an array', pack([2, '/', { 0: 'x' }])],
    ['EVENT with an empty array', pack([2, '/', []])],
    ['EVENT named by an object', pack([2, '/', [{}]])],
    ['EVENT with a reserved name', pack([2, '/', ['disconnect']])],
    ['EVENT named newListener', pack([2, '/', ['newListener', 'x']])],
    ['ACK data not an array', pack([3, '/', 'x', 1])],
    ['ack id a string', pack([2, '/', ['x'], '1'])],
    ['ack id negative', pack([2, '/', ['x'], -1])],
    ['ack id fractional', pack([3, '/', [], 1.5])],
    ['CONNECT with an array', pack([0, '/', ['x']])],
    ['CONNECT with binary', pack([0, '/', new Uint8Array([1])])],
    ['DISCONNECT with data', pack([1, '/', {}])],
    ['CONNECT_ERROR with a number', pack([4, '/', 5])],
    ['nesting deeper than the stack', deep(200_000)],
  ];

  it.each(BAD)('%s → Error, nothing decoded', (_name, message) => {
    let decoded = 0;
    const d = new Decoder();
    d.on('decoded', () => decoded++);
    expect(() => d.add(message)).toThrow(Error);
    expect(decoded).toBe(0);
  });

  it('a packet that cannot be encoded throws at the sender, not on the wire', () => {
    expect(() => new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['x', () => 1] })).toThrow(Error);
    expect(() => new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['x', 1n] })).toThrow(Error);
  });
});

describe('socket parser on a real server', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('closes a connection that sends garbage or speaks the default parser, and keeps serving the others', async () => {
    t = await startTestServer();
    const good = await t.login('alice');

    // socket.io's default parser sends text: the server's Decoder refuses the CONNECT.
    const legacy = connectClient(t.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        legacy.once('connect', () => reject(new Error('a default-parser client connected')));
        legacy.io.once('close', () => resolve());
      });
    } finally {
      legacy.close();
    }

    // A client of this parser, connected, then truncated msgpack straight onto its websocket.
    const rogue = connectClient(t.url, { transports: ['websocket'], forceNew: true, reconnection: false, parser: socketParser });
    try {
      await new Promise<void>((resolve, reject) => {
        rogue.once('connect', resolve);
        rogue.once('connect_error', reject);
      });
      const closed = new Promise<string>((resolve) => rogue.once('disconnect', (reason) => resolve(reason)));
      (rogue.io.engine as unknown as { write(m: Uint8Array): void }).write(pack([2, '/', ['x', 'y']]).subarray(0, 5));
      expect(await closed).toBe('transport close');
    } finally {
      rogue.close();
    }

    expect(await request(good.socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 1 });
  });
});
