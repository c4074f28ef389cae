// 3. "LAN peers, distant server": a delay proxy (20 ms each way, plain TCP, in this process)
// stands between the clients and the signaling server; peers talk on loopback. One member
// broadcasts 1 KiB to the 7 others of an 8-member room, over the mesh and over forced relay.
// Figures: time until all 7 have it, p50 and p99. Target: mesh ≥ 20× faster than relay.
import { broadcastProbe } from './lib/broadcast.js';
import { startDelayProxy } from './lib/delay-proxy.js';

import { measure } from './lib/measure.js';
import { formRawMesh, rawMembers } from './lib/raw-mesh.js';
import { runScenario } from './lib/scenario.js';
import { Scope } from './lib/scope.js';
import { loginEngine, startJoin, uidFor, waitP2P, type Engine } from './lib/sdk-engine.js';
import { importSdkClient, type RTSRoom } from './lib/sdk-load.js';
import { startServer, trySdkSide } from './lib/servers.js';
import { cellOf, naCell, percentile, quotient } from './lib/stats.js';
import type { Cell } from './lib/types.js';
import { STACKS, type StackName } from './lib/webrtc.js';

const PAYLOAD = new Uint8Array(1024).fill(7);
const MEMBERS = 8;
const DELAY_MS = 20;

await runScenario({ name: 'lan-distant-server', title: `LAN peers, distant server (+${DELAY_MS} ms each way): room broadcast to ${MEMBERS - 1} others` }, async (ctx) => {
  const runs = ctx.quick ? 1 : 5;
  const meshCount = ctx.quick ? 100 : 1000;
  const relayCount = ctx.quick ? 15 : 200;
  const warmup = ctx.quick ? 5 : 30;
  const timeoutMs = ctx.quick ? 20_000 : 120_000;

  const top = new Scope();
  try {
    const rawServer = await startServer('raw', top);
    const rawProxy = await startDelayProxy(rawServer.port, DELAY_MS);
    top.add(() => rawProxy.close());
    const { value: sdkUrl, problem: sdkProblem } = await trySdkSide(async () => {
      await importSdkClient();
      const s = await startServer('sdk', top);
      const p = await startDelayProxy(s.port, DELAY_MS);
      top.add(() => p.close());
      return p.url;
    });

    const rawRelay = await measure({ label: 'raw socket.io room relay', runs, timeoutMs }, async (scope) => {
      const room = uidFor('room');
      const members = await rawMembers(rawProxy.url, Array.from({ length: MEMBERS }, () => uidFor('lr')), scope);
      for (const m of members) await m.socket.emitWithAck('join', room);
      const probe = broadcastProbe();
      for (const m of members.slice(1)) m.socket.on('room', () => probe.received());
      const s = await probe.run(() => members[0].socket.emit('room', room, PAYLOAD), MEMBERS - 1, warmup, relayCount);
      return { p50: percentile(s, 50), p99: percentile(s, 99) };
    });
    const sdkRelay = sdkUrl
      ? await measure({ label: 'SDK forced relay', runs, timeoutMs }, (scope) => sdkBroadcast(scope, sdkUrl!, { relayOnly: true }, relayCount, timeoutMs / 2))
      : undefined;
    const relayCell = (p: 'p50' | 'p99'): { sdk: Cell; raw: Cell } => ({
      sdk: sdkRelay ? cellOf(sdkRelay, (v) => v[p], 'ms') : naCell(sdkProblem!),
      raw: cellOf(rawRelay, (v) => v[p], 'ms'),
    });
    for (const p of ['p50', 'p99'] as const) {
      const c = relayCell(p);
      ctx.row({ case: `forced relay: all 7 delivered, ${p}`, sdk: c.sdk, baseline: c.raw, ratio: 'time' });
    }

    for (const stack of STACKS) {
      const rawMesh = await measure({ label: `raw ${stack} mesh`, runs, timeoutMs }, async (scope) => {
        const members = await rawMembers(rawProxy.url, Array.from({ length: MEMBERS }, () => uidFor('lm')), scope);
        await formRawMesh(members, uidFor('room'), stack, scope, timeoutMs);
        const probe = broadcastProbe();
        for (const m of members.slice(1)) for (const p of m.peers.values()) p.on('data', () => probe.received());
        const sender = [...members[0].peers.values()];
        const s = await probe.run(() => sender.forEach((p) => p.send(PAYLOAD)), MEMBERS - 1, warmup, meshCount);
        return { p50: percentile(s, 50), p99: percentile(s, 99) };
      });
      const sdkMesh = sdkUrl
        ? await measure({ label: `SDK ${stack} mesh`, runs, timeoutMs }, (scope) => sdkBroadcast(scope, sdkUrl!, { stack }, meshCount, timeoutMs / 2))
        : undefined;
      for (const p of ['p50', 'p99'] as const) {
        const mesh = {
          sdk: sdkMesh ? cellOf(sdkMesh, (v) => v[p], 'ms') : naCell(sdkProblem!),
          raw: cellOf(rawMesh, (v) => v[p], 'ms'),
        };
        ctx.row({ case: `${stack} mesh: all 7 delivered, ${p}`, sdk: mesh.sdk, baseline: mesh.raw, ratio: 'time' });
        const relay = relayCell(p);
        ctx.row({
          case: `${stack} mesh speed-up over relay, ${p}`,
          sdk: quotient(relay.sdk, mesh.sdk),
          baseline: quotient(relay.raw, mesh.raw),
          target: { text: 'mesh ≥ 20× faster', on: 'sdk', op: '>=', value: 20 },
        });
      }
    }
  } finally {
    await top.close();
  }
  ctx.note(`${MEMBERS} clients in one room behind a TCP delay proxy (+${DELAY_MS} ms per direction) in front of the server; member 1 broadcasts 1 KiB, the figure is the time until all ${MEMBERS - 1} others have it. Mesh: ${meshCount} broadcasts per run, relay: ${relayCount}; ${warmup} warm-up broadcasts; ${runs} run${runs === 1 ? '' : 's'}, each with new clients.`);
  ctx.note('Raw mesh: simple-peer links signaled through the raw socket.io server (through the proxy), the sender writes to each of its 7 channels. Raw relay: socket.io `socket.to(room).emit`. SDK: sendRoomBinaryMessage, measured once every engine reports p2p to all 7 others (mesh) or with relayOnly engines (relay). Speed-up = relay time ÷ mesh time (range from the extreme runs).');
});

/** `waitMs` bounds each wait inside (join, links) so a stuck part reports what it waited for. */
async function sdkBroadcast(scope: Scope, url: string, o: { stack?: StackName; relayOnly?: boolean }, count: number, waitMs: number): Promise<{ p50: number; p99: number }> {
  const roomId = uidFor('lan');
  const engines: Engine[] = await Promise.all(
    Array.from({ length: MEMBERS }, () => loginEngine(scope, { server: url, uid: uidFor('ls'), ...o })),
  );
  const joins = engines.map((e) => startJoin(e, roomId));
  await Promise.all(joins.map((j) => j.joined(waitMs)));
  const rooms: RTSRoom[] = joins.map((j) => j.room);
  if (!o.relayOnly) {
    await Promise.all(engines.map((e) => waitP2P(e, engines.filter((x) => x !== e).map((x) => x.uid), waitMs)));
  }
  const probe = broadcastProbe();
  for (const r of rooms.slice(1)) r.on('onRoomBinaryMessageReceived', () => probe.received());
  const s = await probe.run(() => void rooms[0].sendRoomBinaryMessage(PAYLOAD), MEMBERS - 1, 10, count);
  return { p50: percentile(s, 50), p99: percentile(s, 99) };
}
