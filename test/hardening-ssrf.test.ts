// Issue 10, P2Server: outside dev mode a client cannot make the server POST to loopback,
// private, link-local or unique-local addresses in any spelling — checked on the address actually
// connected to — unless the operator's allow-list names the host. A refused target is
// E2BSSendFailed (17) with a clear log line, and no connection reaches the listener.
import type { LookupAddress } from 'node:dns';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isNonPublicAddress } from '../signaling/http/ssrf-guard.js';
import { captureLog, type CapturedLog } from './helpers/log-capture.js';
import { request, startHttpServer, startTestServer, waitFor, type TestServer } from './helpers/server.js';

// A name that only a wildcard entry matches and that resolves to loopback. glibc does not resolve
// `*.localhost` (and inside the test namespace there is no DNS server to ask), so the lookup the
// guard makes is answered here for that one name; every other name goes to the real resolver.
const WILDCARD_ONLY_HOST = 'app.localhost';
vi.mock('node:dns', async (importOriginal) => {
  const dns = await importOriginal<typeof import('node:dns')>();
  const lookup = (host: string, options: unknown, callback: (err: Error | null, addresses: LookupAddress[]) => void): void => {
    if (host === WILDCARD_ONLY_HOST) return void queueMicrotask(() => callback(null, [{ address: '127.0.0.1', family: 4 }]));
    (dns.lookup as unknown as (h: string, o: unknown, cb: typeof callback) => void)(host, options, callback);
  };
  return { ...dns, lookup, default: { ...dns, lookup } };
});

let t: TestServer | undefined;
let app: Awaited<ReturnType<typeof startHttpServer>>;
let connections: Socket[];
let log: CapturedLog;
beforeEach(async () => {
  connections = [];
  app = await startHttpServer((_req, res) => res.end('reached'));
  app.server.on('connection', (s: Socket) => connections.push(s));
  log = captureLog();
});
afterEach(async () => {
  await t?.close();
  t = undefined;
  await app.close();
});

type Reply = { code: number; body?: string };

async function post(url: string): Promise<Reply> {
  const { socket } = await t!.login(`u${Math.floor(Math.random() * 1e9)}`);
  const params = await request(socket, 'server:params', { signature: 's', url });
  expect(params, url).toEqual({ code: 200 });
  return request<Reply>(socket, 'server:message', { msgId: 1, data: 'hi' });
}

describe('P2Server targets outside dev mode', () => {
  it('loopback in every spelling, the unspecified address and private ranges → 17, nothing connects', async () => {
    t = await startTestServer({ logger: log.logger, p2server: { timeoutMs: 2000 } });
    const port = new URL(app.url).port;
    const targets = [
      `http://127.0.0.1:${port}/`, `http://0x7f000001:${port}/`, `http://2130706433:${port}/`, `http://127.1:${port}/`,
      `http://0177.0.0.1:${port}/`, `http://localhost:${port}/`, `http://LocalHost:${port}/`, `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`, `http://[::ffff:7f00:1]:${port}/`, `http://0.0.0.0:${port}/`, `http://[::]:${port}/`,
      `http://10.1.2.3:${port}/`, `http://172.16.0.1:${port}/`, `http://192.168.1.1:${port}/`, `http://100.64.0.1:${port}/`,
      `http://169.254.169.254:${port}/`, `http://[fe80::1]:${port}/`, `http://[fd00::1]:${port}/`, `https://127.0.0.1:${port}/`,
    ];
    for (const url of targets) expect(await post(url), url).toEqual({ code: 17 });
    expect(connections).toHaveLength(0);
    expect(log.find('P2Server target refused').length).toBe(targets.length);
    expect(log.find('P2Server message failed').length).toBe(targets.length);
  });

  it('an allow-list entry naming the host lets it in; a wildcard entry does not open private addresses', async () => {
    const port = new URL(app.url).port;
    t = await startTestServer({ logger: log.logger, p2server: { allowList: [`127.0.0.1:${port}`, '*.localhost', `localhost:${port}`] } });
    expect(await post(`${app.url}/hook`)).toEqual({ code: 0, body: 'reached' });
    expect(await post(`http://localhost:${port}/hook`)).toEqual({ code: 0, body: 'reached' });
    const reached = connections.length;
    expect(reached).toBeGreaterThan(0);
    // Named only by the wildcard: resolves to loopback, refused after the lookup.
    expect(await post(`http://${WILDCARD_ONLY_HOST}:${port}/hook`)).toEqual({ code: 17 });
    expect(connections).toHaveLength(reached);
    expect(log.find('P2Server target refused').some((l) => JSON.stringify(l).includes(WILDCARD_ONLY_HOST))).toBe(true);
  });

  it('dev mode, or allowPrivateTargets, reaches loopback', async () => {
    t = await startTestServer({ logger: log.logger, dev: true });
    expect(await post(`${app.url}/hook`)).toEqual({ code: 0, body: 'reached' });
    await t.close();
    t = await startTestServer({ logger: log.logger, p2server: { allowPrivateTargets: true } });
    expect(await post(`http://localhost:${new URL(app.url).port}/hook`)).toEqual({ code: 0, body: 'reached' });
    await waitFor(() => connections.length >= 2);
  });
});

describe('address classification', () => {
  it('refuses non-public addresses, IPv4-mapped and NAT64 forms included, and lets public ones through', () => {
    const refused = [
      '127.0.0.1', '127.255.255.254', '0.0.0.0', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.0.1', '100.64.0.1',
      '100.127.255.255', '169.254.169.254', '224.0.0.1', '255.255.255.255', '::', '::1', 'fe80::1', 'febf::1', 'fc00::1',
      'fdff::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::127.0.0.1',
      '64:ff9b::c0a8:101', '::127.0.0.1', 'not-an-address', '',
    ];
    const allowed = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808'];
    for (const ip of refused) expect(isNonPublicAddress(ip), ip).toBe(true);
    for (const ip of allowed) expect(isNonPublicAddress(ip), ip).toBe(false);
  });
});
