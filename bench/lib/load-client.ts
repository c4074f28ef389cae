// A share of the server-capacity clients, in their own process so the benchmark's own loop is
// not the bottleneck. Speaks the wire protocol directly (socket.io-client, websocket): raw
// clients of raw-relay-server.ts, or SDK-protocol clients that log in with a token
// (shared/protocol.ts `login`) — the server's capacity, not the client SDK's, is under test.
// Commands:
//   connect {kind, url, uids, concurrency}  → {ms, failed}   open + hello (raw) / login (SDK)
//   join {count, room}                      → {ms}           first `count` clients join the room
//   wait {total, timeoutMs}                 → {count, lastAt} deliveries counted on room members
//   reset                                                    zero the delivery counter
//   close                                                    disconnect everything
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { socketParser } from '../../shared/socket-parser.js';
import { APP_ID, tokenFor } from './bench-app.js';
import { serveIpc } from './child-main.js';
import { until } from './scope.js';

let kind: 'raw' | 'sdk' = 'raw';
let sockets: Socket[] = [];
let delivered = 0;
let lastAt = 0;
const wallNow = (): number => performance.timeOrigin + performance.now();

async function openOne(url: string, uid: string): Promise<Socket> {
  // SDK-protocol clients speak the signaling server's parser; raw ones socket.io's default.
  const parser = kind === 'sdk' ? { parser: socketParser } : {};
  const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000, ...parser });
  sockets.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', (e) => reject(e));
  });
  if (kind === 'raw') {
    await s.timeout(60_000).emitWithAck('hello', uid);
  } else {
    const reply = (await s.timeout(60_000).emitWithAck('login', { appId: APP_ID, uid, token: tokenFor(uid), sessionId: randomUUID() })) as { code: number };
    if (reply.code !== 0) throw new Error(`login ${uid}: code ${reply.code}`);
  }
  return s;
}

serveIpc(
  {
    ready: () => ({}),
    connect: async (m) => {
      kind = m.kind as 'raw' | 'sdk';
      const uids = m.uids as string[];
      const concurrency = (m.concurrency as number) ?? 100;
      const t = performance.now();
      let next = 0;
      let failed = 0;
      let firstError = '';
      const lane = async (): Promise<void> => {
        while (next < uids.length) {
          const uid = uids[next++];
          try {
            await openOne(m.url as string, uid);
          } catch (e) {
            failed++;
            firstError ||= (e as Error).message;
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, lane));
      return { ms: performance.now() - t, failed, firstError };
    },
    join: async (m) => {
      const members = sockets.slice(0, m.count as number);
      const room = m.room as string;
      const t = performance.now();
      await Promise.all(
        members.map(async (s) => {
          const count = (): void => {
            delivered++;
            lastAt = wallNow();
          };
          if (kind === 'raw') {
            s.on('room', count);
            await s.timeout(60_000).emitWithAck('join', room);
          } else {
            s.on('relay:frame', count);
            const r = (await s.timeout(60_000).emitWithAck('room:join', { roomId: room, extraInfo: '', rejoin: false })) as { code: number };
            if (r.code !== 0) throw new Error(`room:join: code ${r.code}`);
          }
        }),
      );
      return { ms: performance.now() - t };
    },
    reset: () => {
      delivered = 0;
      lastAt = 0;
    },
    wait: async (m) => {
      await until('deliveries', () => delivered >= (m.total as number), m.timeoutMs as number, 5);
      return { count: delivered, lastAt };
    },
    close: () => {
      for (const s of sockets) s.disconnect();
      sockets = [];
    },
  },
  () => {
    for (const s of sockets) s.disconnect();
  },
);
