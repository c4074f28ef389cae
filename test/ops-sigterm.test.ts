// Issue 10, SIGTERM (SPEC §12) on a real CLI process: it stops accepting, tells every connected
// client the server is going away, waits for them to leave (within --drain-ms), and exits 0. SDK
// engines reconnect at once on the notice and log in again by themselves once a server is back;
// a client that ignores the notice is cut at the drain bound.
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exponentialBackoff } from '../client/index.js';
import { ConnectionState } from '../shared/codes.js';
import { createToken } from '../shared/token.js';
import { freePort, startProcess, stopAllProcesses, type SpawnedProcess } from './helpers/processes.js';
import { Clients } from './helpers/rts-clients.js';
import { openSocket, waitFor, type ClientSocket, type TestServer } from './helpers/server.js';

const root = resolve(import.meta.dirname, '..');
const APP_ID = 'sigtermtestapp0000000000';
const APP_KEY = 'sigterm-test-key';
const DRAIN_MS = 20_000;

let url = '';
const server = { get url() { return url; }, appId: APP_ID, token: (uid: string) => createToken({ appId: APP_ID, appKey: APP_KEY, userId: uid }) };
const clients = new Clients(() => server as unknown as TestServer);

afterEach(() => clients.destroyAll());
afterAll(() => stopAllProcesses());

async function startCli(port: number, drainMs: number): Promise<SpawnedProcess> {
  const { proc } = await startProcess(process.execPath, [
    join(root, 'bin', 'rtsmesh-signaling.js'), '--port', String(port), '--host', '127.0.0.1', '--log-level', 'silent',
  ], {
    readyLine: /rtsmesh signaling listening on/,
    env: { RTSMESH_APP_ID: APP_ID, RTSMESH_APP_KEY: APP_KEY, RTSMESH_DRAIN_MS: String(drainMs) },
  });
  return proc;
}

function rawSocket(): Promise<ClientSocket> {
  const s = openSocket(url);
  return new Promise((res, rej) => {
    s.once('connect', () => res(s));
    s.once('connect_error', rej);
  });
}

describe('SIGTERM on the CLI', () => {
  it('tells the clients, they leave and reconnect at once, the process exits 0 well within the drain bound', async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const first = await startCli(port, DRAIN_MS);
    const params = { reconnect: exponentialBackoff({ initialMs: 200, maxMs: 500 }) };
    const alice = await clients.login('alice', params);
    const bob = await clients.login('bob', params);
    // A raw client that does what the notice asks.
    const raw = await rawSocket();
    const notices: unknown[] = [];
    raw.on('server:going-away' as never, ((ev: unknown) => {
      notices.push(ev);
      raw.disconnect();
    }) as never);

    const sent = Date.now();
    process.kill(first.pid, 'SIGTERM');
    const exit = await first.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // Everyone left on being told: the server did not have to wait for its drain bound.
    expect(Date.now() - sent).toBeLessThan(DRAIN_MS);
    expect(notices).toEqual([{ reason: 'shutdown' }]);
    for (const e of [alice, bob]) await e.rec.wait('onConnectionStateChanged', (s) => s === ConnectionState.Reconnecting);

    // A server is back on the address: both log in again by themselves and talk.
    const second = await startCli(port, DRAIN_MS);
    for (const e of [alice, bob]) await e.rec.wait('onConnectionStateChanged', (s) => s === ConnectionState.Reconnected, 15_000);
    const id = alice.rts.sendMessage('bob', 'after the restart');
    await bob.rec.wait('onMessageReceived', (from, text) => from === 'alice' && text === 'after the restart');
    await alice.rec.wait('onMessageSendResult', (msgId, code) => msgId === id && code === 0);
    clients.destroyAll();
    process.kill(second.pid, 'SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('a client that ignores the notice is cut at the drain bound; the exit is still 0', async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const proc = await startCli(port, 300);
    const stubborn = await rawSocket();
    const notices: unknown[] = [];
    stubborn.on('server:going-away' as never, ((ev: unknown) => notices.push(ev)) as never);
    process.kill(proc.pid, 'SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(notices).toHaveLength(1);
    await waitFor(() => !stubborn.connected, 5000, 'cut');
    stubborn.close();
  });
});
