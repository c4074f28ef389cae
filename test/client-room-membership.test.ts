// RTSRoom's member bookkeeping with a scripted server: member events that overtake our join
// reply, and members missing from a rejoin reply (presumed reconnecting until the grace ends).
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../shared/limits.js';
import type { JoinRoomReply } from '../shared/protocol.js';
import { RTSRoom, type RoomHost } from '../client/room.js';
import { SendGate } from '../client/send-gate.js';
import { FakeNetwork, quietLogger, sleep, waitFor } from './helpers/messaging-fakes.js';
import { Recorder } from './helpers/rts-clients.js';

function scriptedHost(dropGraceMs = 10_000) {
  const net = new FakeNetwork();
  const node = net.add('me');
  const joins: Array<(reply: JoinRoomReply) => void> = [];
  let phase: ReturnType<RoomHost['phase']> = 'in';
  const host: RoomHost = {
    logger: quietLogger,
    messenger: node.messenger,
    sends: new SendGate(() => DEFAULT_LIMITS),
    uid: () => 'me',
    phase: () => phase,
    whenLoggedIn: async () => true,
    request: ((event: string) => {
      if (event === 'room:join') return new Promise<unknown>((resolve) => joins.push((reply) => resolve({ ok: true, reply })));
      return Promise.resolve({ ok: true, reply: { code: 0 } });
    }) as RoomHost['request'],
    leaveOnServer: () => undefined,
    limits: () => DEFAULT_LIMITS,
    dropGraceMs: () => dropGraceMs,
    destroyed: () => false,
    forget: () => undefined,
  };
  return { host, joins, setPhase: (p: typeof phase) => (phase = p), net };
}

describe('room membership', () => {
  it('member events that overtake the join reply are applied after it', async () => {
    const { host, joins } = scriptedHost();
    const room = new RTSRoom('R1', host);
    const rec = new Recorder();
    room.setRTSRoomDelegate(rec.handler);
    room.joinRoom();
    await waitFor(() => joins.length === 1);
    room.onUserJoined({ uid: 'bob', extraInfo: 'b' }); // the server announced bob before answering us
    room.onUserJoined({ uid: 'carol', extraInfo: 'c' });
    room.onUserLeft('carol', 0);
    joins[0]({ code: 0, members: [{ uid: 'dave', extraInfo: 'd' }] });
    await rec.wait('onRoomStateChanged');
    expect(room.members.sort()).toEqual(['bob', 'dave']);
    expect(rec.of('onUserJoined').map(([i]) => (i as { uid: string }).uid)).toEqual(['dave', 'bob', 'carol']);
    expect(rec.of('onUserLeave')).toEqual([['carol', 0]]);
    room.destroy();
  });

  it('after a reconnect, members missing from the rejoin reply stay until the grace period ends', async () => {
    const { host, joins, setPhase } = scriptedHost(150);
    const room = new RTSRoom('R1', host);
    const rec = new Recorder();
    room.setRTSRoomDelegate(rec.handler);
    room.joinRoom();
    await waitFor(() => joins.length === 1);
    joins[0]({ code: 0, members: [{ uid: 'bob', extraInfo: '' }, { uid: 'carol', extraInfo: '' }] });
    await rec.wait('onRoomStateChanged');
    setPhase('reconnecting');
    room.onDropped();
    setPhase('in');
    room.onResumed();
    await waitFor(() => joins.length === 2);
    joins[1]({ code: 0, members: [] }); // the server restarted; nobody is back yet
    await rec.wait('onRoomStateChanged', (_r, _u, s, x) => s === 0 && JSON.parse(x).join_type === 1);
    expect(room.members.sort()).toEqual(['bob', 'carol']);
    room.onUserJoined({ uid: 'bob', extraInfo: '' }); // bob comes back
    await sleep(250);
    expect(rec.of('onUserLeave')).toEqual([['carol', 1]]);
    expect(room.members).toEqual(['bob']);
    room.destroy();
  });
});
