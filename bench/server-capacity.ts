// 6. Signaling server capacity, one server process: N clients log in (10,000; --quick 2,000),
// server RSS per logged-in client, and relayed fan-out to a 1,000-member room (--quick 500) in
// deliveries/s. SDK server (login with token + session state; relay:room of data frames) vs a
// raw socket.io server (connect + hello; socket.to(room).emit). Clients live in 2 child
// processes. Targets: ≤ 20 KiB per client, ≥ 100k deliveries/s.
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import { encodeFrames, broadcastStream } from '../shared/frame.js';
import { socketParser } from '../shared/socket-parser.js';
import { APP_ID, tokenFor } from './lib/bench-app.js';
import { startChild, type BenchChild } from './lib/children.js';
import { log } from './lib/log.js';
import { measure } from './lib/measure.js';
import { runScenario } from './lib/scenario.js';
import { Scope, sleep } from './lib/scope.js';
import { importSdkServer } from './lib/sdk-load.js';
import { startServer, trySdkSide } from './lib/servers.js';
import { cellOf, naCell } from './lib/stats.js';

const CLIENT_PROCS = 2;
const PAYLOAD = new Uint8Array(1024).fill(7);

interface CapacityRun {
  loginMs: number;
  kibPerClient: number;
  kibInUsePerClient: number;
  deliveriesPerSec: number;
}

await runScenario({ name: 'server-capacity', title: 'Signaling server capacity (one process)' }, async (ctx) => {
  const clients = ctx.quick ? 1000 : 10_000;
  const roomSize = ctx.quick ? 200 : 1000;
  const broadcasts = ctx.quick ? 20 : 100;
  const warmBroadcasts = ctx.quick ? 5 : 20;
  const runs = ctx.quick ? 1 : 3;
  const timeoutMs = ctx.quick ? 90_000 : 240_000;

  const top = new Scope();
  try {
    const procs: BenchChild[] = await Promise.all(
      Array.from({ length: CLIENT_PROCS }, async (_, i) => {
        const { child } = await startChild(`load-client-${i}`, 'load-client.ts');
        top.add(() => child.stop());
        return child;
      }),
    );

    const once = async (scope: Scope, kind: 'raw' | 'sdk'): Promise<CapacityRun> => {
      const server = await startServer(kind, scope);
      await sleep(200);
      const before = await server.memory();
      scope.add(() => Promise.all(procs.map((p) => p.request('close', {}, 30_000).catch(() => undefined))));
      const uids = Array.from({ length: clients }, (_, i) => `cap-${kind}-${i}-${randomUUID().slice(0, 8)}`);
      const share = procs.map((_, p) => uids.filter((_, i) => i % procs.length === p));
      const t = performance.now();
      const conn = await Promise.all(procs.map((p, i) => p.request('connect', { kind, url: server.url, uids: share[i], concurrency: 100 }, timeoutMs)));
      const loginMs = performance.now() - t;
      const failed = conn.reduce((a, r) => a + (r.failed as number), 0);
      if (failed > 0) throw new Error(`${failed} of ${clients} clients failed: ${conn.find((r) => r.firstError)?.firstError}`);
      await sleep(1000);
      const after = await server.memory();
      const kibPerClient = (after.rss - before.rss) / clients / 1024;
      const kibInUsePerClient = (after.rssInUse - before.rssInUse) / clients / 1024;
      log(`  ${kind}: ${clients} clients in ${loginMs.toFixed(0)} ms, server RSS ${(before.rss / 2 ** 20).toFixed(0)} → ${(after.rss / 2 ** 20).toFixed(0)} MiB`);

      // Fan-out: the first roomSize/CLIENT_PROCS clients of each process join, plus one sender here.
      const room = `fan-${randomUUID().slice(0, 8)}`;
      await Promise.all(procs.map((p) => p.request('join', { count: roomSize / CLIENT_PROCS, room }, timeoutMs)));
      const sender = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, ...(kind === 'sdk' ? { parser: socketParser } : {}) });
      scope.add(() => sender.disconnect());
      await new Promise<void>((resolve, reject) => {
        sender.once('connect', () => resolve());
        sender.once('connect_error', reject);
      });
      const senderUid = `cap-sender-${randomUUID().slice(0, 8)}`;
      let seq = 0;
      let send: () => void;
      if (kind === 'raw') {
        await sender.emitWithAck('hello', senderUid);
        await sender.emitWithAck('join', room);
        send = () => void sender.emit('room', room, PAYLOAD);
      } else {
        const r = (await sender.emitWithAck('login', { appId: APP_ID, uid: senderUid, token: tokenFor(senderUid), sessionId: randomUUID() })) as { code: number };
        if (r.code !== 0) throw new Error(`sender login: code ${r.code}`);
        const j = (await sender.emitWithAck('room:join', { roomId: room, extraInfo: '', rejoin: false })) as { code: number };
        if (j.code !== 0) throw new Error(`sender room:join: code ${j.code}`);
        const stream = broadcastStream(room);
        send = () => {
          seq++;
          const frame = encodeFrames([{ t: 0, st: stream, s: seq, ...(seq === 1 ? { f: 1 } : {}), b: 1, d: PAYLOAD }]);
          sender.emit('relay:room', { roomId: room, except: [], frame }, (reply: { code: number }) => {
            if (reply.code !== 0) log(`  relay:room answered code ${reply.code}`);
          });
        };
      }
      const burst = async (n: number): Promise<number> => {
        await Promise.all(procs.map((p) => p.request('reset')));
        const t0 = performance.timeOrigin + performance.now();
        for (let i = 0; i < n; i++) send();
        const per = (n * roomSize) / CLIENT_PROCS;
        const done = await Promise.all(procs.map((p) => p.request('wait', { total: per, timeoutMs: timeoutMs / 2 }, timeoutMs)));
        return (n * roomSize) / ((Math.max(...done.map((d) => d.lastAt as number)) - t0) / 1000);
      };
      await burst(warmBroadcasts);
      const deliveriesPerSec = await burst(broadcasts);
      return { loginMs, kibPerClient, kibInUsePerClient, deliveriesPerSec };
    };

    const raw = await measure({ label: `raw socket.io ${clients}`, runs, timeoutMs }, (s) => once(s, 'raw'));
    const { problem: sdkProblem } = await trySdkSide(importSdkServer);
    const sdk = sdkProblem ? undefined : await measure({ label: `SDK server ${clients}`, runs, timeoutMs }, (s) => once(s, 'sdk'));
    const cell = (pick: (v: CapacityRun) => number, unit: string) => (sdk ? cellOf(sdk, pick, unit) : naCell(sdkProblem!));

    ctx.row({ case: `${clients.toLocaleString('en-US')} clients: time until all logged in`, sdk: cell((v) => v.loginMs, 'ms'), baseline: cellOf(raw, (v) => v.loginMs, 'ms'), ratio: 'time' });
    ctx.row({
      case: 'server RSS per logged-in client',
      sdk: cell((v) => v.kibPerClient, 'KiB'),
      baseline: cellOf(raw, (v) => v.kibPerClient, 'KiB'),
      ratio: 'time',
      target: { text: 'SDK ≤ 20 KiB', on: 'sdk', op: '<=', value: 20 },
    });
    ctx.row({
      case: '… of which in use (RSS less free V8 heap)',
      sdk: cell((v) => v.kibInUsePerClient, 'KiB'),
      baseline: cellOf(raw, (v) => v.kibInUsePerClient, 'KiB'),
      ratio: 'time',
    });
    ctx.row({
      case: `relayed fan-out to a ${roomSize.toLocaleString('en-US')}-member room`,
      sdk: cell((v) => v.deliveriesPerSec, 'deliveries/s'),
      baseline: cellOf(raw, (v) => v.deliveriesPerSec, 'deliveries/s'),
      ratio: 'rate',
      target: { text: 'SDK ≥ 100,000 deliveries/s', on: 'sdk', op: '>=', value: 100_000 },
    });
  } finally {
    await top.close();
  }
  ctx.note(`Each run starts a new server process; ${clients.toLocaleString('en-US')} clients (socket.io-client, websocket) spread over ${CLIENT_PROCS} client processes, at most 100 connecting at once per process. SDK clients speak the wire protocol (login with a token), so the server is what is measured.`);
  ctx.note("RSS per client = (server RSS after all logged in − RSS before any client) ÷ clients, both after a full GC. The row below it leaves out the V8 heap's reserved-but-free space, which V8 gives back lazily after the login burst.");
  ctx.note(`Fan-out: ${roomSize / CLIENT_PROCS} clients of each process join one room; a sender outside them emits ${broadcasts} broadcasts of 1 KiB at once (after ${warmBroadcasts} warm-up ones); rate = deliveries ÷ time until the last one arrived. SDK: relay:room with a data frame (validated, rate-limited with the limits lifted); raw: socket.to(room).emit.`);
});
