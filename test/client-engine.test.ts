// Engine-level behaviour: onSysStats, onNetworkTypeChanged, setRuntimeParameters, destroy.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConnectionState, NetworkType, createRTS } from '../client/index.js';
import { useTestbed, memoryLogger, Recorder } from './helpers/rts-clients.js';
import { sleep, waitFor, type TestServer } from './helpers/server.js';

const bed = useTestbed();
const { clients } = bed;
let srv: TestServer | undefined;

describe('onSysStats', () => {
  it('fires periodically while logged in, with counters, and stops after logout', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice', { sysStatsIntervalMs: 50 });
    const bob = await clients.login('bob');
    const id = alice.rts.sendMessage('bob', 'count me');
    await alice.rec.wait('onMessageSendResult', (m) => m === id);
    // A snapshot taken after the result (one taken between send and ack still counts it pending).
    const [stats] = await alice.rec.wait('onSysStats', (s) => s.sentMessages === 1 && s.pendingReliable === 0);
    expect(stats).toMatchObject({
      connectionState: ConnectionState.Connected, rooms: 0, sentMessages: 1, receivedMessages: 0, pendingReliable: 0, p2pLinks: 0,
    });
    expect((stats as { relayedSent: number }).relayedSent).toBeGreaterThanOrEqual(1);
    expect((stats as { bytesSent: number }).bytesSent).toBe(8);
    expect(typeof (stats as { rttMs: number }).rttMs).toBe('number');
    alice.rts.logout();
    await alice.rec.wait('onLogout');
    const n = alice.rec.count('onSysStats');
    await sleep(200);
    expect(alice.rec.count('onSysStats')).toBe(n);
    expect(bob.rec.count('onSysStats')).toBe(0); // default period is 2 s
  });
});

describe('onNetworkTypeChanged', () => {
  it('reports the network type at start (Node: from the network interfaces)', async () => {
    const rec = new Recorder();
    const rts = createRTS('rtsmeshtestapp0000000000', rec.handler, { server: 'http://127.0.0.1:1', logger: memoryLogger() });
    const late: number[] = [];
    rts.on('onNetworkTypeChanged', (t) => late.push(t));
    const [type] = await rec.wait('onNetworkTypeChanged');
    expect([NetworkType.LAN, NetworkType.Disconnected]).toContain(type);
    expect(late).toEqual([type]);
    rts.destroy();
  });
});

describe('setRuntimeParameters', () => {
  it('applies documented keys (0) and reports unknown keys (-2, logged by name)', async () => {
    const logger = memoryLogger();
    const rts = createRTS('rtsmeshtestapp0000000000', null, { server: 'http://127.0.0.1:1', logger });
    expect(rts.setRuntimeParameters({ relayOnly: true, messageTimeoutMs: 5000, iceServers: [{ urls: 'stun:127.0.0.1:3478' }] })).toBe(0);
    expect(rts.setRuntimeParameters({ relayOnly: false, fancyMode: 1, turbo: true })).toBe(-2);
    expect(logger.lines.some((l) => l.includes('fancyMode') && l.includes('turbo'))).toBe(true);
    expect(rts.setRuntimeParameters({ requestTimeoutMs: -5 })).toBe(-2);
    expect(logger.lines.some((l) => l.includes('requestTimeoutMs'))).toBe(true);
    expect(rts.setRuntimeParameters('{"messageTimeoutMs": 1000}')).toBe(0);
    expect(rts.setRuntimeParameters('not json')).toBe(-2);
    rts.destroy();
    expect(rts.setRuntimeParameters({ relayOnly: true })).toBe(-1);
  });

  it('a shorter messageTimeoutMs applies to messages sent afterwards', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    expect(alice.rts.setRuntimeParameters({ messageTimeoutMs: 300 })).toBe(0);
    // bob is online but never acknowledges: his engine is gone, his raw socket stays logged in.
    await srv.login('bob');
    const id = alice.rts.sendMessage('bob', 'x');
    const [, code] = await alice.rec.wait('onMessageSendResult', (m) => m === id);
    expect(code).toBe(1);
  });
});

describe('destroy', () => {
  it('is idempotent, logs out (others see the user offline) and makes calls return -1', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    const bob = await clients.login('bob');
    await alice.join('R1');
    const b = await bob.join('R1');
    expect(alice.rts.destroyRTS()).toBe(0);
    expect(alice.rts.destroy()).toBe(0);
    expect(alice.rts.login(srv.token('alice'), 'alice')).toBe(-1);
    expect(alice.rts.createRoom('R2')).toBeNull();
    await b.rec.wait('onUserLeave', (uid) => uid === 'alice');
    bob.rts.getPeerOnlineStatus('alice');
    const [, status] = await bob.rec.wait('onGetPeerOnlineStatus');
    expect(status).toBe(0);
  });

  it('leaves no open handles: a process using the SDK exits by itself after destroyRTS', () => {
    const fixture = fileURLToPath(new URL('./helpers/rts-exit-fixture.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', fixture], { encoding: 'utf8', timeout: 30_000 });
    expect(run.error).toBeUndefined();
    expect(run.stdout).toContain('done');
    expect(run.status).toBe(0);
  });
});

it('waitFor helper sanity', async () => {
  let x = 0;
  setTimeout(() => (x = 1), 10);
  await waitFor(() => x === 1);
  expect(x).toBe(1);
});
