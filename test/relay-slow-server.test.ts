// Issue 11: a busy server is not a lost frame. While a client's socket lives, its relay requests
// wait for their reply however late it comes — resending over a healthy socket would only add
// load to a server that is already behind (the snowball a room of 200 showed under load).
import { describe, expect, it } from 'vitest';
import { joinAll, useTestbed } from './helpers/rts-clients.js';
import { resultsOf, texts } from './helpers/mesh.js';

const bed = useTestbed();
const { clients } = bed;

/** How long the server holds every relay request before its handler sees it. */
const HOLD_MS = 1500;

describe('a server that answers relay requests later than the request timeout', () => {
  it('gets every broadcast once: every result 200, nothing sent twice', async () => {
    const srv = await bed.start();
    // Every relay request waits HOLD_MS in the server before its handler sees it, in arrival
    // order (equal delays fire in order): five times the clients' request timeout, and past their
    // first resend timeout. (The server dispatches through one onAny listener per socket.)
    srv.server.io.on('connection', (socket) => {
      for (const handler of socket.listenersAny()) {
        socket.offAny(handler);
        socket.onAny((event: string, ...args: unknown[]) => {
          const pass = (): void => handler.call(socket, event, ...args); // it reads the socket from `this`
          if (event.startsWith('relay:')) setTimeout(pass, HOLD_MS);
          else pass();
        });
      }
    });
    const engines = await Promise.all(['s1', 's2', 's3'].map((uid) => clients.login(uid, { requestTimeoutMs: 300, resendAfterMs: 500 })));
    const members = await joinAll(engines, 'slow');
    const before = srv.server.stats();
    const sent = members.map((m) => Array.from({ length: 10 }, (_, i) => m.room.sendRoomMessage(`${m.uid}-${i}`)));

    for (const [i, m] of members.entries()) {
      expect(await resultsOf(m.roomRec, 'onRoomMessageSendResult', sent[i], 20_000)).toEqual(sent[i].map(() => 200));
    }
    for (const m of members) {
      for (const o of members.filter((x) => x !== m)) {
        const got = texts(m.roomRec, 'onRoomMessageReceived').filter((t) => t.startsWith(`${o.uid}:`));
        expect(got).toEqual(Array.from({ length: 10 }, (_, i) => `${o.uid}:${o.uid}-${i}`));
      }
    }
    const after = srv.server.stats();
    expect(after.relayedMessages - before.relayedMessages).toBe(30);
    expect(after.relayResentFrames - before.relayResentFrames).toBe(0);
  });
});
