// The app-server REST API (SPEC §8): every route, its auth and its error codes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrames } from '../shared/frame.js';
import { collect, nextEvent, request, sleep, startTestServer, TEST_APP_ID, TEST_APP_KEY, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

const auth = { authorization: `Bearer ${TEST_APP_KEY}`, 'x-app-id': TEST_APP_ID };

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = auth): Promise<{ status: number; json: any }> {
  const res = await fetch(`${t.url}/api/v1/${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe('REST API auth', () => {
  it('refuses a missing or wrong key with 401 unauthorized', async () => {
    for (const headers of <Record<string, string>[]>[{}, { authorization: 'Bearer wrong', 'x-app-id': TEST_APP_ID }, { authorization: `Bearer ${TEST_APP_KEY}`, 'x-app-id': 'otherapp0000000000000000' }, { authorization: TEST_APP_KEY }]) {
      const r = await api('GET', 'users/alice/status', undefined, headers);
      expect(r.status).toBe(401);
      expect(r.json.code).toBe('unauthorized');
    }
  });

  it('accepts ?appId= and, with a single app, no app id at all', async () => {
    expect((await api('GET', `users/alice/status?appId=${TEST_APP_ID}`, undefined, { authorization: `Bearer ${TEST_APP_KEY}` })).status).toBe(200);
    expect((await api('GET', 'users/alice/status', undefined, { authorization: `Bearer ${TEST_APP_KEY}` })).status).toBe(200);
  });

  it('answers unknown routes with 404 not_found and wrong methods with 405', async () => {
    expect(await api('GET', 'nothing/here')).toMatchObject({ status: 404, json: { code: 'not_found' } });
    expect(await api('GET', 'users/alice/messages')).toMatchObject({ status: 405, json: { code: 'method_not_allowed' } });
  });
});

describe('REST API routes', () => {
  it('POST users/:uid/messages delivers app:message kind user (text and binary); 404 when offline', async () => {
    const { socket } = await t.login('alice');
    const got = nextEvent(socket, 'app:message');
    expect(await api('POST', 'users/alice/messages', { message: 'hi from app' })).toMatchObject({ status: 200, json: { ok: true } });
    expect(await got).toEqual({ from: 'server', kind: 'user', data: 'hi from app' });
    const bin = nextEvent<{ data: Uint8Array; from: string }>(socket, 'app:message');
    await api('POST', 'users/alice/messages', { message: Buffer.from([1, 2, 250]).toString('base64'), binary: true, from: 'backend' });
    const ev = await bin;
    expect(ev.from).toBe('backend');
    expect([...new Uint8Array(ev.data)]).toEqual([1, 2, 250]);
    expect(await api('POST', 'users/bob/messages', { message: 'x' })).toMatchObject({ status: 404, json: { code: 'user_offline' } });
  });

  it('validates ids and bodies (400), caps sizes (413)', async () => {
    await t.login('alice');
    expect(await api('POST', 'users/bad%20uid/messages', { message: 'x' })).toMatchObject({ status: 400, json: { code: 'bad_request' } });
    expect(await api('POST', 'users/alice/messages', '{not json')).toMatchObject({ status: 400, json: { code: 'bad_request' } });
    expect(await api('POST', 'users/alice/messages', { msg: 'x' })).toMatchObject({ status: 400, json: { code: 'bad_request' } });
    expect(await api('POST', 'users/alice/messages', { message: '!!!', binary: true })).toMatchObject({ status: 400 });
    expect(await api('POST', 'users/alice/messages', { message: 'x', from: 'bad from' })).toMatchObject({ status: 400 });
    expect(await api('POST', 'users/alice/messages', { message: 'a'.repeat(65_537) })).toMatchObject({ status: 413, json: { code: 'too_large' } });
    expect(await api('POST', 'users/alice/messages', { message: 'a'.repeat(65_536) })).toMatchObject({ status: 200 });
    expect(await api('POST', 'users/alice/messages', { message: 'a'.repeat(300_000) })).toMatchObject({ status: 413, json: { code: 'too_large' } });
  });

  it('POST rooms/:roomId/users/:uid/messages delivers kind room-user; 404 not_in_room otherwise', async () => {
    const [alice] = await t.inRoom('room', 'alice');
    await t.login('bob');
    const got = nextEvent(alice, 'app:message');
    expect((await api('POST', 'rooms/room/users/alice/messages', { message: 'psst' })).status).toBe(200);
    expect(await got).toEqual({ from: 'server', kind: 'room-user', roomId: 'room', data: 'psst' });
    expect(await api('POST', 'rooms/room/users/bob/messages', { message: 'x' })).toMatchObject({ status: 404, json: { code: 'not_in_room' } });
  });

  it('POST rooms/:roomId/messages reaches every member and nobody else', async () => {
    const [alice, bob] = await t.inRoom('room', 'alice', 'bob');
    const { socket: outsider } = await t.login('carol');
    const outsiderGot = collect(outsider, 'app:message');
    const a = nextEvent(alice, 'app:message');
    const b = nextEvent(bob, 'app:message');
    expect(await api('POST', 'rooms/room/messages', { message: 'all', from: 'bot' })).toMatchObject({ status: 200, json: { ok: true, members: 2 } });
    expect(await a).toEqual({ from: 'bot', kind: 'room', roomId: 'room', data: 'all' });
    expect(await b).toEqual({ from: 'bot', kind: 'room', roomId: 'room', data: 'all' });
    await sleep(50);
    expect(outsiderGot).toEqual([]);
    expect(await api('POST', 'rooms/empty/messages', { message: 'x' })).toMatchObject({ status: 404, json: { code: 'not_found' } });
  });

  it('GET users/:uid/status and rooms/:roomId/users', async () => {
    await t.inRoom('room', 'alice', 'bob');
    expect(await api('GET', 'users/alice/status')).toEqual({ status: 200, json: { uid: 'alice', status: 1 } });
    expect(await api('GET', 'users/zed/status')).toEqual({ status: 200, json: { uid: 'zed', status: 0 } });
    expect(await api('GET', 'rooms/room/users')).toEqual({
      status: 200,
      json: { roomId: 'room', users: [{ uid: 'alice', extraInfo: 'alice-info' }, { uid: 'bob', extraInfo: 'bob-info' }] },
    });
    expect(await api('GET', 'rooms/none/users')).toEqual({ status: 200, json: { roomId: 'none', users: [] } });
    expect((await api('GET', 'rooms/bad%2Froom/users')).status).toBe(400);
  });

  it('POST rooms/:roomId/users/:uid/kick: -1006 to the member, KickedByAdmin to the others', async () => {
    const [alice, bob] = await t.inRoom('room', 'alice', 'bob');
    const closed = nextEvent(bob, 'room:closed');
    const left = nextEvent(alice, 'room:user-left');
    expect(await api('POST', 'rooms/room/users/bob/kick')).toMatchObject({ status: 200 });
    expect(await closed).toEqual({ roomId: 'room', code: -1006 });
    expect(await left).toEqual({ roomId: 'room', uid: 'bob', reason: 3 });
    // Bob no longer gets the room's traffic.
    const bobGot = collect(bob, 'app:message');
    await api('POST', 'rooms/room/messages', { message: 'after kick' });
    await sleep(50);
    expect(bobGot).toEqual([]);
    expect(await api('POST', 'rooms/room/users/bob/kick')).toMatchObject({ status: 404, json: { code: 'not_in_room' } });
  });

  it('POST rooms/:roomId/dismiss: every member gets -1011 and the room is gone', async () => {
    const [alice, bob] = await t.inRoom('room', 'alice', 'bob');
    const a = nextEvent(alice, 'room:closed');
    const b = nextEvent(bob, 'room:closed');
    expect(await api('POST', 'rooms/room/dismiss')).toMatchObject({ status: 200, json: { ok: true, members: 2 } });
    expect(await a).toEqual({ roomId: 'room', code: -1011 });
    expect(await b).toEqual({ roomId: 'room', code: -1011 });
    expect((await api('GET', 'rooms/room/users')).json.users).toEqual([]);
    expect(await request(alice, 'relay:room', { roomId: 'room', frame: encodeFrames([{ t: 0, st: 'b/room', d: 'x' }]) })).toEqual({ code: 100 });
    expect(await api('POST', 'rooms/room/dismiss')).toMatchObject({ status: 404 });
  });
});
