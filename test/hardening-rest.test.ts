// Issue 10, the app-server REST API under abuse: bodies over the bound get 413 with the JSON error
// shape (also a 10 MB one, still being uploaded), requests per app key and failed authentications
// per address are rate-limited (429), the Bearer scheme is case-insensitive, and a body declared
// but never sent — or headers never finished — does not hold a socket for long.
import { connect, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const auth = (key = 'rtsmesh-test-key', scheme = 'Bearer') => ({ authorization: `${scheme} ${key}`, 'content-type': 'application/json' });

/** A POST whose body is streamed in 64 KiB pieces (chunked, no Content-Length); resolves with status and body. */
function streamPost(url: string, totalBytes: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const piece = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const write = (): void => {
      while (sent < totalBytes) {
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

/** A raw TCP connection that writes `text` and resolves when the server closes it, with what it answered. */
function rawExchange(port: number, text: string): { socket: Socket; closed: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  socket.write(text);
  let answer = '';
  socket.on('data', (c: Buffer) => (answer += c.toString()));
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(answer)));
  socket.on('error', () => undefined);
  return { socket, closed };
}

describe('REST API bounds', () => {
  it('a body over the bound gets 413 with the JSON error shape: declared, streamed, and 10 MB', async () => {
    t = await startTestServer();
    await t.login('alice');
    const url = `${t.url}/api/v1/users/alice/messages`;
    const big = JSON.stringify({ message: 'x'.repeat(300 * 1024) });
    const declared = await fetch(url, { method: 'POST', headers: auth(), body: big });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: 'too_large' });
    const streamed = await streamPost(url, 10 * 1024 * 1024, auth());
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({ code: 'too_large', message: expect.any(String) });
    const tenMb = await fetch(url, { method: 'POST', headers: auth(), body: Buffer.alloc(10 * 1024 * 1024, 0x61) });
    expect(tenMb.status).toBe(413);
    // A configured bound, and a body within it still works.
    await t.close();
    t = await startTestServer({ rest: { maxBodyBytes: 1000 } });
    await t.login('alice');
    const ok = await fetch(`${t.url}/api/v1/users/alice/messages`, { method: 'POST', headers: auth(), body: JSON.stringify({ message: 'hi' }) });
    expect(ok.status).toBe(200);
    const over = await fetch(`${t.url}/api/v1/users/alice/messages`, { method: 'POST', headers: auth(), body: JSON.stringify({ message: 'y'.repeat(1000) }) });
    expect(over.status).toBe(413);
  });

  it('rate limit per app key: 429 with the JSON error shape, and refills', async () => {
    t = await startTestServer({ rest: { ratePerSecond: 5 } });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${t!.url}/api/v1/users/alice/status`, { headers: auth() }).then(async (r) => {
      const body = (await r.json()) as { code?: string };
      return r.status === 429 ? `429 ${body.code}` : String(r.status);
    })));
    expect(statuses.filter((s) => s === '200').length).toBeGreaterThanOrEqual(5);
    expect(statuses).toContain('429 rate_limited');
    expect(statuses.every((s) => s === '200' || s === '429 rate_limited')).toBe(true);
    await waitFor(async () => (await fetch(`${t!.url}/api/v1/users/alice/status`, { headers: auth() })).status === 200, 5000, 'refilled');
  });

  it('failed authentications are rate-limited per address', async () => {
    t = await startTestServer({ rest: { ratePerSecond: 5 } });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${t!.url}/api/v1/users/alice/status`, { headers: auth('wrong-key') }).then((r) => r.status)));
    expect(statuses).toContain(401);
    expect(statuses).toContain(429);
  });

  it('matches the Authorization scheme case-insensitively, with any spacing the spec allows', async () => {
    t = await startTestServer();
    const status = (authorization: string) => fetch(`${t!.url}/api/v1/users/alice/status`, { headers: { authorization } }).then((r) => r.status);
    for (const header of ['Bearer rtsmesh-test-key', 'bearer rtsmesh-test-key', 'BEARER rtsmesh-test-key', 'BeArEr   rtsmesh-test-key', 'Bearer\trtsmesh-test-key', ' Bearer rtsmesh-test-key ']) {
      expect(await status(header), header).toBe(200);
    }
    for (const header of ['Basic rtsmesh-test-key', 'Bearerrtsmesh-test-key', 'rtsmesh-test-key', 'Bearer ', 'Bearer rtsmesh-test-key2', 'Bearer rtsmesh-test-ke']) {
      expect(await status(header), header).toBe(401);
    }
  });
});

describe('HTTP timeouts', () => {
  it('a declared body that never arrives gets 408 and the socket is closed', async () => {
    t = await startTestServer({ rest: { bodyTimeoutMs: 300 } });
    const { port } = new URL(t.url);
    const { closed } = rawExchange(Number(port), 'POST /api/v1/users/alice/messages HTTP/1.1\r\nHost: x\r\nAuthorization: bearer rtsmesh-test-key\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"mess');
    const answer = await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('"code":"body_timeout"');
  });

  it('a declared body on another route, or headers never finished, are cut by the request/header timeouts', async () => {
    t = await startTestServer({ requestTimeoutMs: 600, headersTimeoutMs: 300 });
    const { port } = new URL(t.url);
    const body = rawExchange(Number(port), 'POST /nothing-here HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
    const headers = rawExchange(Number(port), 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    await Promise.all([body.closed, headers.closed]);
    expect(body.socket.destroyed && headers.socket.destroyed).toBe(true);
    // The server still serves.
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});
