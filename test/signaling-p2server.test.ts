// P2Server (SPEC §7): the signaling server POSTs a client's message to the URL set with
// server:params and returns the app server's answer; failures map to 17 / 18.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedPort, request, startHttpServer, startTestServer, type TestServer } from './helpers/server.js';

let t: TestServer;
let app: Awaited<ReturnType<typeof startHttpServer>>;
const posts: { path: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];
let respond: (req: IncomingMessage, res: ServerResponse) => void;

beforeEach(async () => {
  posts.length = 0;
  respond = (_req, res) => res.end('default');
  app = await startHttpServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(raw || '{}') });
      respond(req, res);
    });
  });
  // The test app server listens on loopback, which the operator allows here explicitly.
  t = await startTestServer({ p2server: { timeoutMs: 400, allowPrivateTargets: true } });
});
afterEach(async () => {
  await t.close();
  await app.close();
});

type Reply = { code: number; body?: string };

describe('server:params', () => {
  it('needs a login (105), an http(s) URL (-2), and answers 200', async () => {
    const anon = await t.connect();
    expect(await request(anon, 'server:params', { signature: 's', url: app.url })).toEqual({ code: 105 });
    const { socket } = await t.login('alice');
    for (const url of ['ftp://127.0.0.1/x', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', '', 'http://user:pw@127.0.0.1/']) {
      expect(await request(socket, 'server:params', { signature: 's', url })).toEqual({ code: -2 });
    }
    expect(await request(socket, 'server:params', { signature: 's', url: `${app.url}/hook` })).toEqual({ code: 200 });
  });

  it('applies the operator allow-list', async () => {
    await t.close();
    const port = new URL(app.url).port;
    t = await startTestServer({ p2server: { allowList: [`127.0.0.1:${port}`, '*.example.com'] } });
    const { socket } = await t.login('alice');
    expect(await request(socket, 'server:params', { signature: 's', url: `${app.url}/x` })).toEqual({ code: 200 });
    expect(await request(socket, 'server:params', { signature: 's', url: 'http://127.0.0.1:1/x' })).toEqual({ code: -2 });
    expect(await request(socket, 'server:params', { signature: 's', url: 'https://api.example.com/x' })).toEqual({ code: 200 });
    expect(await request(socket, 'server:params', { signature: 's', url: 'https://example.com.evil.net/x' })).toEqual({ code: -2 });
    expect(await request(socket, 'server:params', { signature: 's', url: 'http://localhost:1/x' })).toEqual({ code: -2 });
  });
});

describe('server:message', () => {
  it('posts text and binary as JSON and returns the 200 body', async () => {
    respond = (_req, res) => res.end('{"ok":true,"echo":"done"}');
    const { socket } = await t.login('alice');
    await request(socket, 'server:params', { signature: 'sig-1', url: `${app.url}/hook?x=1` });
    expect(await request<Reply>(socket, 'server:message', { msgId: 7, data: 'hello app' })).toEqual({ code: 0, body: '{"ok":true,"echo":"done"}' });
    expect(posts[0]).toMatchObject({
      path: '/hook?x=1',
      body: { message: 'hello app', binary: false, signature: 'sig-1', userId: 'alice', appId: t.appId, messageId: 7 },
    });
    expect(posts[0].headers['content-type']).toContain('application/json');
    expect(await request<Reply>(socket, 'server:message', { msgId: 8, data: new Uint8Array([0, 255, 7]) })).toMatchObject({ code: 0 });
    expect(posts[1].body).toMatchObject({ message: Buffer.from([0, 255, 7]).toString('base64'), binary: true, messageId: 8 });
  });

  it('cuts a long answer at 64 KiB', async () => {
    respond = (_req, res) => res.end('y'.repeat(100_000));
    const { socket } = await t.login('alice');
    await request(socket, 'server:params', { signature: 's', url: app.url });
    const reply = await request<Reply>(socket, 'server:message', { msgId: 1, data: 'x' });
    expect(reply.code).toBe(0);
    expect(reply.body).toHaveLength(65_536);
  });

  it('maps a non-200 answer (including redirects, not followed) to 18', async () => {
    const { socket } = await t.login('alice');
    await request(socket, 'server:params', { signature: 's', url: app.url });
    respond = (_req, res) => {
      res.statusCode = 500;
      res.end('broken');
    };
    expect(await request<Reply>(socket, 'server:message', { msgId: 1, data: 'x' })).toEqual({ code: 18 });
    respond = (_req, res) => {
      res.writeHead(302, { location: `${app.url}/elsewhere` });
      res.end();
    };
    expect(await request<Reply>(socket, 'server:message', { msgId: 2, data: 'x' })).toEqual({ code: 18 });
    expect(posts.map((p) => p.path)).toEqual(['/', '/']);
  });

  it('maps an unreachable app server and one slower than the timeout to 17', async () => {
    const { socket } = await t.login('alice');
    await request(socket, 'server:params', { signature: 's', url: `http://127.0.0.1:${await closedPort()}/` });
    expect(await request<Reply>(socket, 'server:message', { msgId: 1, data: 'x' })).toEqual({ code: 17 });
    respond = (_req, res) => setTimeout(() => res.end('late'), 1500).unref();
    await request(socket, 'server:params', { signature: 's', url: app.url });
    expect(await request<Reply>(socket, 'server:message', { msgId: 2, data: 'x' })).toEqual({ code: 17 });
  });

  it('needs a login (105) and params (106); refuses oversized messages (103) and more than 20/s (5)', async () => {
    // 40 posts at once: on a loaded machine some take longer than the suite's 400 ms timeout (17),
    // which is not what this test is about.
    await t.close();
    t = await startTestServer({ p2server: { timeoutMs: 10_000, allowPrivateTargets: true } });
    const anon = await t.connect();
    expect(await request(anon, 'server:message', { msgId: 1, data: 'x' })).toEqual({ code: 105 });
    const { socket } = await t.login('alice');
    expect(await request(socket, 'server:message', { msgId: 1, data: 'x' })).toEqual({ code: 106 });
    await request(socket, 'server:params', { signature: 's', url: app.url });
    expect(await request(socket, 'server:message', { msgId: 2, data: 'a'.repeat(65_537) })).toEqual({ code: 103 });
    expect(posts).toHaveLength(0);
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => request<Reply>(socket, 'server:message', { msgId: 10 + i, data: 'x' })));
    expect(replies.filter((r) => r.code === 0).length).toBeGreaterThanOrEqual(20);
    expect(replies.some((r) => r.code === 5)).toBe(true);
    expect(posts.length).toBe(replies.filter((r) => r.code === 0).length);
  });

  it('a slow app server does not hold up the same socket’s other requests', async () => {
    respond = (_req, res) => setTimeout(() => res.end('slow'), 300).unref();
    const { socket } = await t.login('alice');
    await request(socket, 'server:params', { signature: 's', url: app.url });
    const order: string[] = [];
    const slow = request<Reply>(socket, 'server:message', { msgId: 1, data: 'x' }).then((r) => order.push(`message:${r.code}`));
    await request(socket, 'presence:query', { uid: 'alice' }).then(() => order.push('presence'));
    await slow;
    expect(order).toEqual(['presence', 'message:0']);
  });
});
