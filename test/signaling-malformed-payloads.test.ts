// Bad input never crashes anything: every event answers a malformed payload with -2 (or its
// documented code), tolerates a missing ack, and the server keeps serving afterwards.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrames } from '../shared/frame.js';
import { request, sleep, startTestServer, type ClientSocket, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

const EVENTS = [
  'login', 'logout', 'token:update', 'server:params', 'server:message', 'presence:query',
  'room:join', 'room:leave', 'relay:frame', 'relay:room', 'rtc:signal',
];

const GARBAGE: unknown[] = [
  null,
  42,
  'string',
  [],
  [1, 2, 3],
  { wrong: 'fields' },
  { uid: 123, roomId: {}, to: [], frame: 'not-binary', token: 5, signal: 'x', msgId: -1, data: {}, url: 7 },
  new Uint8Array([0xc1, 0xff, 0x00]),
];

async function expectAlive(socket: ClientSocket): Promise<void> {
  expect(await request(socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 1 });
}

describe('malformed payloads', () => {
  it('every event answers garbage with a code (logout ignores its payload), before and after login', async () => {
    const anon = await t.connect();
    const alice = await t.login('alice');
    for (const socket of [anon, alice.socket]) {
      for (const event of EVENTS) {
        if (event === 'logout') continue; // logout takes no payload: it always succeeds
        for (const payload of GARBAGE) {
          const reply = await request<{ code: number }>(socket, event, payload);
          expect(reply.code, `${event} ${JSON.stringify(payload)}`).toBe(-2);
        }
      }
    }
    await expectAlive(alice.socket);
  });

  it('an event sent without an ack callback or without any payload does not crash', async () => {
    const alice = await t.login('alice');
    const loose = alice.socket as unknown as { emit(ev: string, ...a: unknown[]): void };
    for (const event of EVENTS.filter((e) => e !== 'logout' && e !== 'login')) {
      loose.emit(event, { garbage: true });
      loose.emit(event);
      loose.emit(event, { to: 'alice', roomId: 'r', frame: new Uint8Array([1]), uid: 'alice', token: 'x' });
    }
    // No payload, but an ack: the ack gets the malformed reply.
    expect(await request(alice.socket, 'room:join')).toMatchObject({ code: -2 });
    await sleep(50);
    await expectAlive(alice.socket);
  });

  it('garbage frames: undecodable bytes, non-arrays, invalid frames, empty batches, bad streams → -2', async () => {
    await t.login('bob');
    const alice = await t.login('alice');
    await request(alice.socket, 'room:join', { roomId: 'room' });
    const bad: Uint8Array[] = [
      new Uint8Array([0xc1]),
      new Uint8Array(0),
      encodeFrames([] as never[]),
      encodeFrames({ t: 0 } as never),
      encodeFrames([{ t: 7, st: 'u/', d: 'x' }] as never[]),
      encodeFrames([{ t: 0, st: 'u/', d: 5 }] as never[]),
      encodeFrames([{ t: 0, st: 'zz', d: 'x' }] as never[]),
      encodeFrames([{ t: 0, st: 'u/bad room', d: 'x' }] as never[]),
      encodeFrames([{ t: 0, st: 'b/', d: 'x' }] as never[]),
      encodeFrames([{ t: 0, st: 'u/', d: 'x', s: -1 }] as never[]),
    ];
    for (const frame of bad) {
      expect(await request(alice.socket, 'relay:frame', { to: 'bob', frame })).toEqual({ code: -2 });
      expect(await request(alice.socket, 'relay:room', { roomId: 'room', frame })).toEqual({ code: -2 });
    }
    expect(t.server.stats().relayedFrames).toBe(0);
    await expectAlive(alice.socket);
  });

  it('answers an unknown event with -2', async () => {
    const alice = await t.login('alice');
    expect(await request(alice.socket, 'no:such-event', { x: 1 })).toEqual({ code: -2 });
    await expectAlive(alice.socket);
  });

  it('logout before login is harmless', async () => {
    const anon = await t.connect();
    expect(await request(anon, 'logout', {})).toEqual({ code: 0 });
    expect(await request(anon, 'logout', 'garbage')).toEqual({ code: 0 });
  });
});
