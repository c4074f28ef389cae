// Issue 10, sockets that never log in: each is disconnected after the login deadline, one address
// may hold only so many of them, both show in /metrics, and logged-in sockets are not touched.
import { afterEach, describe, expect, it } from 'vitest';
import { openSocket, request, startTestServer, waitFor, type ClientSocket, type TestServer } from './helpers/server.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const METRICS_TOKEN = 'test-metrics-token';

async function metric(name: string, label = ''): Promise<number> {
  const res = await fetch(`${t!.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${label} `) || (label === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').pop()) : 0;
}

let everConnected = 0;
/** Opens n raw sockets at once; resolves once each connected or failed. */
async function flood(n: number): Promise<ClientSocket[]> {
  const sockets = Array.from({ length: n }, () => openSocket(t!.url));
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => {
    s.once('connect', () => {
      everConnected++;
      resolve();
    });
    s.once('connect_error', () => resolve());
  })));
  return sockets;
}

describe('sockets that never log in', () => {
  it('are disconnected after the login deadline; logged-in ones stay', async () => {
    t = await startTestServer({ loginDeadlineMs: 300, metricsToken: METRICS_TOKEN });
    everConnected = 0;
    const idle = await flood(200);
    const alice = await t.login('alice');
    expect(everConnected).toBe(200);
    await waitFor(() => idle.every((s) => !s.connected), 10_000, 'idle sockets cut');
    await waitFor(() => t!.server.stats().connections === 1, 10_000, 'server side closed');
    expect(alice.socket.connected).toBe(true);
    expect(await request(alice.socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 1 });
    expect(await metric('rtsmesh_unauthenticated_closed_total', '{reason="deadline"}')).toBe(200);
    expect(await metric('rtsmesh_unauthenticated_connections')).toBe(0);
    for (const s of idle) s.close();
  });

  it('a socket that logs in before the deadline is never cut', async () => {
    t = await startTestServer({ loginDeadlineMs: 400 });
    const socket = await t.connect();
    await t.login('bob', { socket });
    await new Promise((r) => setTimeout(r, 800));
    expect(socket.connected).toBe(true);
  });

  it('one address holds at most maxUnauthenticatedPerAddress of them; logging in frees a place', async () => {
    t = await startTestServer({ maxUnauthenticatedPerAddress: 20, loginDeadlineMs: 60_000, metricsToken: METRICS_TOKEN });
    const first = await flood(20);
    expect(first.every((s) => s.connected)).toBe(true);
    const more = await flood(30);
    await waitFor(() => more.every((s) => !s.connected), 10_000, 'sockets over the cap cut');
    await waitFor(() => t!.server.stats().connections === 20, 10_000, 'server side closed');
    expect(await metric('rtsmesh_unauthenticated_closed_total', '{reason="address_cap"}')).toBe(30);
    expect(await metric('rtsmesh_unauthenticated_connections')).toBe(20);
    // One of the 20 logs in: a new socket fits again.
    await t.login('carol', { socket: first[0] });
    const [next] = await flood(1);
    expect(next.connected).toBe(true);
    expect((await t.login('dave', { socket: next })).reply.code).toBe(0);
    for (const s of [...first, ...more]) s.close();
  });
});
