// The HTTP side besides the REST API: static files and the bundle, /metrics, the dev token
// endpoint, and start-up validation of options.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrames } from '../shared/frame.js';
import { verifyToken } from '../shared/token.js';
import { createSignalingServer } from '../signaling/index.js';
import { closedPort, request, startTestServer, TEST_APP_ID, TEST_APP_KEY, withServer } from './helpers/server.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rtsmesh-static-'));
  await mkdir(join(dir, 'public', 'sub'), { recursive: true });
  await writeFile(join(dir, 'public', 'index.html'), '<h1>demo</h1>');
  await writeFile(join(dir, 'public', 'sub', 'app.css'), 'body{}');
  await writeFile(join(dir, 'secret.txt'), 'do not serve');
  await writeFile(join(dir, 'bundle.js'), 'export const x = 1;');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    get({ hostname, port, path }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('static files', () => {
  it('serves the public folder and the bundle with content types, nothing outside', async () => {
    await withServer({ publicDir: join(dir, 'public'), bundlePath: join(dir, 'bundle.js') }, async (t) => {
      const index = await fetch(`${t.url}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toContain('text/html');
      expect(await index.text()).toBe('<h1>demo</h1>');
      const css = await fetch(`${t.url}/sub/app.css`);
      expect(css.headers.get('content-type')).toContain('text/css');
      const bundle = await fetch(`${t.url}/rtsmesh.js`);
      expect(bundle.headers.get('content-type')).toContain('application/javascript');
      expect(await bundle.text()).toBe('export const x = 1;');
      // Raw paths: fetch would normalise the dot segments away before sending.
      for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/../../secret.txt', '/..%2fsecret.txt', '/sub%2f..%2f..%2fsecret.txt', '/missing.html', '/%00']) {
        const r = await rawGet(t.url, path);
        expect(r.status, path).toBe(404);
        expect(r.body).not.toContain('do not serve');
      }
    });
  });

  it('explains a missing bundle with a 404', async () => {
    await withServer({ bundlePath: join(dir, 'nope.js') }, async (t) => {
      const r = await fetch(`${t.url}/rtsmesh.js`);
      expect(r.status).toBe(404);
      expect(await r.text()).toMatch(/bundle was not built/);
    });
    // No public folder by default; the bundle is served by default (signaling-client-bundle.test.ts).
    await withServer({}, async (t) => {
      expect((await fetch(`${t.url}/`)).status).toBe(404);
    });
    await withServer({ serveClient: false }, async (t) => {
      expect((await fetch(`${t.url}/rtsmesh.js`)).status).toBe(404);
    });
  });
});

describe('/metrics', () => {
  const token = 'metrics-secret-123';
  const withToken = { headers: { authorization: `Bearer ${token}` } };
  it('exposes Prometheus metrics per server instance', async () => {
    await withServer({ metricsToken: token }, async (a) => {
      await withServer({ metricsToken: token }, async (b) => {
        const alice = await a.login('alice');
        await a.login('bob');
        await request(alice.socket, 'relay:frame', { to: 'bob', frame: encodeFrames([{ t: 0, st: 'u/', d: 'x' }]) });
        const text = await (await fetch(`${a.url}/metrics`, withToken)).text();
        expect(text).toMatch(/rtsmesh_relayed_messages_total 1/);
        expect(text).toMatch(/rtsmesh_logged_in 2/);
        const other = await (await fetch(`${b.url}/metrics`, withToken)).text();
        expect(other).toMatch(/rtsmesh_relayed_messages_total 0/);
      });
    });
  });
});

describe('/dev/token', () => {
  it('exists only in dev mode and returns a token for the first app', async () => {
    await withServer({ dev: true }, async (t) => {
      const r = await fetch(`${t.url}/dev/token?uid=alice`);
      const body = (await r.json()) as { appId: string; token: string };
      expect(body.appId).toBe(TEST_APP_ID);
      expect(verifyToken(body.token, { appId: TEST_APP_ID, appKey: TEST_APP_KEY, userId: 'alice' }).ok).toBe(true);
      expect((await fetch(`${t.url}/dev/token?uid=bad%20uid`)).status).toBe(400);
      expect((await t.login('alice', { token: body.token })).reply.code).toBe(0);
    });
    await withServer({}, async (t) => {
      expect((await fetch(`${t.url}/dev/token?uid=alice`)).status).toBe(404);
    });
  });
});

describe('options', () => {
  const base = { port: 0, host: '127.0.0.1', logLevel: 'silent' };
  it('refuses bad apps, limits and redis options, and an unreachable Redis, with clear errors', async () => {
    await expect(createSignalingServer({ ...base, apps: [] })).rejects.toThrow(/at least one/);
    await expect(createSignalingServer({ ...base, apps: [{ appId: 'short', appKey: 'k' }] })).rejects.toThrow(/24/);
    await expect(createSignalingServer({ ...base, apps: [{ appId: TEST_APP_ID, appKey: '' }] })).rejects.toThrow(/appKey/);
    await expect(createSignalingServer({ ...base, apps: [{ appId: TEST_APP_ID, appKey: 'k' }], limits: { p2pPerSecond: -1 } })).rejects.toThrow(/p2pPerSecond/);
    const app = { apps: [{ appId: TEST_APP_ID, appKey: 'k' }] };
    await expect(createSignalingServer({ ...base, ...app, redis: 'http://127.0.0.1:6379' })).rejects.toThrow(/redis:\/\//);
    await expect(createSignalingServer({ ...base, ...app, redis: 'redis://127.0.0.1:6379', scaleOut: { heartbeatMs: 1000, ttlMs: 1500 } })).rejects.toThrow(/ttlMs/);
    const port = await closedPort();
    await expect(createSignalingServer({ ...base, ...app, redis: `redis://127.0.0.1:${port}` })).rejects.toThrow(`cannot reach Redis at redis://127.0.0.1:${port}`);
  });

  it('reports a busy port as an error and frees everything', async () => {
    await withServer({}, async (t) => {
      await expect(createSignalingServer({ ...base, port: t.server.port, apps: [{ appId: TEST_APP_ID, appKey: 'k' }] })).rejects.toThrow(/EADDRINUSE/);
    });
  });

  it('close() is idempotent and disconnects clients', async () => {
    const t = await startTestServer();
    const { socket } = await t.login('alice');
    const gone = new Promise<string>((r) => socket.on('disconnect', (reason) => r(reason)));
    await Promise.all([t.server.close(), t.server.close()]);
    expect(await gone).toBe('transport close');
    await t.close();
  });
});
