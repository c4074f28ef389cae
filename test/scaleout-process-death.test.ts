// SPEC §9 + §11: a signaling process that dies (SIGKILL of the real CLI, no goodbye) or shuts
// down: its users are announced Dropped to room-mates on the survivors, exactly once, and shown
// offline; a client that reconnects to a survivor in time resumes and nobody sees it leave.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrames } from '../shared/frame.js';
import { createToken } from '../shared/token.js';
import { isPidAlive, runningPids, startProcess, stopAllProcesses, type SpawnedProcess } from './helpers/processes.js';
import { startRedis, type RedisServer } from './helpers/redis.js';
import { FAST_SCALE_OUT, startCluster, type Cluster } from './helpers/scaleout.js';
import { collect, nextEvent, openSocket, request, sleep, TEST_APP_ID, TEST_APP_KEY, waitFor, type ClientSocket, type LoggedIn } from './helpers/server.js';

const root = resolve(import.meta.dirname, '..');
const DROP_GRACE_MS = 1000;
let redis: RedisServer;
let cluster: Cluster;
const clients: ClientSocket[] = [];
const cliNodes: SpawnedProcess[] = [];

beforeAll(async () => {
  // The CLI runs from dist/. Other parts may not type-check yet; tsc still emits, so only the output matters.
  const [r] = await Promise.all([
    startRedis(),
    promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { cwd: root }).catch(() => undefined),
  ]);
  redis = r;
  expect(existsSync(join(root, 'dist/signaling/scale-out/cluster-node.js'))).toBe(true);
}, 90_000);
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await cluster?.close();
  // Only the CLI nodes: the redis-server is a child process too and serves the whole file.
  await Promise.all(cliNodes.splice(0).map((p) => p.stop()));
});
afterAll(async () => {
  await redis?.stop();
  await stopAllProcesses();
  expect(runningPids()).toEqual([]);
});

/** The real CLI as a child process, in the cluster's Redis namespace. */
async function startCliNode(): Promise<{ proc: SpawnedProcess; url: string }> {
  const { proc, match } = await startProcess(
    process.execPath,
    [
      join(root, 'bin/rtsmesh-signaling.js'), '--port', '0', '--host', '127.0.0.1', '--app-id', TEST_APP_ID, '--app-key', TEST_APP_KEY,
      '--redis', redis.url, '--redis-prefix', cluster.keyPrefix, '--redis-heartbeat-ms', String(FAST_SCALE_OUT.heartbeatMs),
      '--redis-ttl-ms', String(FAST_SCALE_OUT.ttlMs), '--drop-grace-ms', String(DROP_GRACE_MS), '--log-level', 'warn',
    ],
    { name: 'signaling-cli', readyLine: /listening on (http:\/\/\S+)/, timeoutMs: 20_000 },
  );
  cliNodes.push(proc);
  await proc.waitForLine(/^store: redis redis:\/\/127\.0\.0\.1:\d+/);
  return { proc, url: match[1] };
}

async function loginAt(url: string, uid: string, sessionId = randomUUID()): Promise<LoggedIn> {
  const socket = openSocket(url);
  clients.push(socket);
  await new Promise<void>((res, rej) => {
    socket.once('connect', () => res());
    socket.once('connect_error', rej);
  });
  const reply = await request<{ code: number }>(socket, 'login', {
    appId: TEST_APP_ID, uid, sessionId, token: createToken({ appId: TEST_APP_ID, appKey: TEST_APP_KEY, userId: uid }),
  });
  expect(reply.code).toBe(0);
  return { socket, reply: reply as LoggedIn['reply'], uid, sessionId };
}

const presence = async (socket: ClientSocket, uid: string): Promise<number> =>
  (await request<{ status: number }>(socket, 'presence:query', { uid })).status;

describe('scale-out: a process dies', () => {
  it('SIGKILL: its users are announced Dropped exactly once to room-mates on two survivors and go offline', async () => {
    cluster = await startCluster(redis.url, 2, { dropGraceMs: DROP_GRACE_MS });
    const [a, b] = cluster.nodes;
    const doomed = await startCliNode();
    const alice = await loginAt(doomed.url, 'alice');
    const bob = await a.login('bob');
    const carol = await b.login('carol');
    const joinedSeen = nextEvent(bob.socket, 'room:user-joined', (ev: { uid: string }) => ev.uid === 'alice');
    for (const s of [bob.socket, carol.socket]) await request(s, 'room:join', { roomId: 'r' });
    await request(alice.socket, 'room:join', { roomId: 'r' });
    await joinedSeen;
    expect(await presence(bob.socket, 'alice')).toBe(1);

    const bobLeft = collect<{ uid: string; reason: number }>(bob.socket, 'room:user-left');
    const carolLeft = collect<{ uid: string; reason: number }>(carol.socket, 'room:user-left');
    process.kill(doomed.proc.pid, 'SIGKILL');
    await doomed.proc.exited;
    expect(isPidAlive(doomed.proc.pid)).toBe(false);

    // Liveness expires after ttlMs; a survivor notices on its next heartbeat; the grace has run since.
    await waitFor(() => bobLeft.length > 0 && carolLeft.length > 0, FAST_SCALE_OUT.ttlMs + DROP_GRACE_MS + 6000, 'Dropped announced');
    expect(bobLeft).toEqual([{ roomId: 'r', uid: 'alice', reason: 1 }]);
    expect(carolLeft).toEqual([{ roomId: 'r', uid: 'alice', reason: 1 }]);
    expect(await presence(bob.socket, 'alice')).toBe(0);
    expect((await a.server.store.listMembers(TEST_APP_ID, 'r')).map((m) => m.uid)).toEqual(['bob', 'carol']);

    // Exactly once: later heartbeats of both survivors announce nothing more.
    await sleep(4 * FAST_SCALE_OUT.heartbeatMs);
    expect(bobLeft).toHaveLength(1);
    expect(carolLeft).toHaveLength(1);
  });

  it('SIGKILL: a client reconnecting to a survivor within the grace resumes; nobody sees it leave', async () => {
    // A grace longer than the failure detection, so the reconnect lands inside it.
    cluster = await startCluster(redis.url, 1, { dropGraceMs: 6000 });
    const [a] = cluster.nodes;
    const doomed = await startCliNode();
    const alice = await loginAt(doomed.url, 'alice');
    const bob = await a.login('bob');
    await request(bob.socket, 'room:join', { roomId: 'r' });
    await request(alice.socket, 'room:join', { roomId: 'r' });
    const bobLeft = collect(bob.socket, 'room:user-left');

    process.kill(doomed.proc.pid, 'SIGKILL');
    await doomed.proc.exited;
    const back = await a.login('alice', { sessionId: alice.sessionId });
    expect(back.reply.code).toBe(0);

    // Well past the dead process's detection: the survivor must not reap the resumed session.
    await sleep(FAST_SCALE_OUT.ttlMs + 4 * FAST_SCALE_OUT.heartbeatMs);
    expect(bobLeft).toEqual([]);
    expect(await presence(bob.socket, 'alice')).toBe(1);
    const got = nextEvent<{ from: string }>(back.socket, 'relay:frame');
    expect(await request(bob.socket, 'relay:room', { roomId: 'r', frame: encodeFrames([{ t: 0, st: 'b/r', s: 1, d: 'still with us' }]) })).toEqual({ code: 0 });
    expect((await got).from).toBe('bob');
  });

  it('a graceful shutdown: its users are Unreachable during the grace, then Dropped by a survivor', async () => {
    cluster = await startCluster(redis.url, 2, { dropGraceMs: DROP_GRACE_MS });
    const [a, b] = cluster.nodes;
    const alice = await a.login('alice');
    const bob = await b.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'r' });
    await request(bob.socket, 'room:join', { roomId: 'r' });
    // Due ≈ ttl + grace + a heartbeat (~3 s here); the bound is generous because a loaded CI
    // machine (the whole suite on 2 cores) once took longer than 7 s.
    const left = nextEvent(bob.socket, 'room:user-left', () => true, DROP_GRACE_MS + 20_000);

    await a.close();
    expect(await presence(bob.socket, 'alice')).toBe(2);
    expect(await left).toEqual({ roomId: 'r', uid: 'alice', reason: 1 });
    expect(await presence(bob.socket, 'alice')).toBe(0);
  });
});
