// Behind a reverse proxy the per-address limits must count clients, not the proxy: with
// `trustProxy` the server takes the client from the proxy's X-Forwarded-For, and from nobody
// else's (a client may write any X-Forwarded-For it likes).
import { afterEach, describe, expect, it } from 'vitest';
import { clientAddress } from '../signaling/limits/client-address.js';
import { openSocket, startTestServer, waitFor, type ClientSocket, type TestServer } from './helpers/server.js';

let t: TestServer | undefined;
const opened: ClientSocket[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) s.close();
  await t?.close();
  t = undefined;
});

/** A socket claiming to come from `client` (through a proxy at 127.0.0.1); resolves once connected. */
async function from(client: string): Promise<ClientSocket> {
  const s = openSocket(t!.url, { 'x-forwarded-for': client });
  opened.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

describe('the client address behind a reverse proxy', () => {
  const proxies = new Set(['127.0.0.1', '10.0.0.2']);

  it('is the TCP peer unless that peer is a trusted proxy', () => {
    expect(clientAddress('198.51.100.7', '203.0.113.1', proxies)).toBe('198.51.100.7');
    expect(clientAddress('::ffff:127.0.0.1', '203.0.113.1', proxies)).toBe('203.0.113.1');
    expect(clientAddress('127.0.0.1', undefined, proxies)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '203.0.113.1', new Set())).toBe('127.0.0.1');
  });

  it('is the right-most hop that is not a trusted proxy; what the client wrote further left is not believed', () => {
    expect(clientAddress('127.0.0.1', '6.6.6.6, 203.0.113.1, 10.0.0.2', proxies)).toBe('203.0.113.1');
    expect(clientAddress('127.0.0.1', ['6.6.6.6', '203.0.113.1'], proxies)).toBe('203.0.113.1');
    expect(clientAddress('127.0.0.1', '::ffff:203.0.113.9', proxies)).toBe('203.0.113.9');
    expect(clientAddress('127.0.0.1', 'not-an-address, 10.0.0.2', proxies)).toBe('10.0.0.2');
    expect(clientAddress('127.0.0.1', '10.0.0.2', proxies)).toBe('10.0.0.2');
  });

  it('with trustProxy, the per-address cap counts each forwarded client on its own', async () => {
    t = await startTestServer({ trustProxy: ['127.0.0.1'], maxUnauthenticatedPerAddress: 1, loginDeadlineMs: 60_000 });
    const a = await from('203.0.113.1');
    const b = await from('203.0.113.2');
    const again = await from('203.0.113.1');
    await waitFor(() => !again.connected, 5000, 'the second socket of 203.0.113.1 cut');
    expect(a.connected && b.connected).toBe(true);
    expect((await t.login('alice', { socket: a })).reply.code).toBe(0);
  });

  it('without it, X-Forwarded-For is ignored: one address, whatever the header says', async () => {
    t = await startTestServer({ maxUnauthenticatedPerAddress: 1, loginDeadlineMs: 60_000 });
    const a = await from('203.0.113.1');
    const b = await from('203.0.113.2');
    await waitFor(() => !b.connected, 5000, 'the second socket from 127.0.0.1 cut');
    expect(a.connected).toBe(true);
  });

  it('REST: failed authentications are rate-limited per forwarded client, not for everyone behind the proxy', async () => {
    t = await startTestServer({ trustProxy: ['127.0.0.1'], rest: { ratePerSecond: 5 } });
    const guess = (client: string): Promise<number> => fetch(`${t!.url}/api/v1/users/alice/status`, {
      headers: { authorization: 'Bearer wrong-key', 'x-forwarded-for': client },
    }).then((r) => r.status);
    const guesser = await Promise.all(Array.from({ length: 20 }, () => guess('203.0.113.66')));
    expect(guesser).toContain(429);
    // Another client behind the same proxy still gets its honest 401, not the guesser's 429.
    expect(await guess('203.0.113.7')).toBe(401);
  });

  it('a trustProxy entry that is not an IP address stops the server from starting', async () => {
    await expect(startTestServer({ trustProxy: ['proxy.example.com'] })).rejects.toThrow(/trustProxy: "proxy.example.com" is not an IP address/);
  });
});
