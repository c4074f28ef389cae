// Messages from the app server through the REST API (SPEC §8) arrive in the SDK as the right
// callbacks: to a user → onMessageReceived, to a user in a room → onUserMessageReceived, to a
// room → onRoomMessageReceived (binary variants for base64 bodies).
import { describe, expect, it } from 'vitest';
import { useTestbed } from './helpers/rts-clients.js';
import { type TestServer } from './helpers/server.js';

const bed = useTestbed();
const { clients } = bed;
let srv: TestServer;

async function post(path: string, body: unknown): Promise<number> {
  const res = await fetch(`${srv.url}/api/v1/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${srv.appKey}`, 'x-app-id': srv.appId, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

describe('REST pushes', () => {
  it('arrive as the matching callbacks, text and binary', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    const a = await alice.join('R1');
    expect(await post('users/alice/messages', { message: 'to you', from: 'backend' })).toBe(200);
    await alice.rec.wait('onMessageReceived', (from, text) => from === 'backend' && text === 'to you');
    expect(alice.rec.of('onUserMessageReceivedOutsideRoom')).toEqual([['backend', 'to you']]);
    expect(await post('users/alice/messages', { message: Buffer.from([5, 6]).toString('base64'), binary: true })).toBe(200);
    const [from, bytes] = await alice.rec.wait('onBinaryMessageReceived');
    expect(from).toBe('server');
    expect([...(bytes as Uint8Array)]).toEqual([5, 6]);
    expect(await post('rooms/R1/users/alice/messages', { message: 'in room', from: 'backend' })).toBe(200);
    await a.rec.wait('onUserMessageReceived', (f, text) => f === 'backend' && text === 'in room');
    expect(await post('rooms/R1/messages', { message: 'everyone' })).toBe(200);
    await a.rec.wait('onRoomMessageReceived', (f, text) => f === 'server' && text === 'everyone');
    expect(await post('rooms/R1/messages', { message: Buffer.from('b').toString('base64'), binary: true })).toBe(200);
    await a.rec.wait('onRoomBinaryMessageReceived');
  });
});
