// Issue 10, operating the server: /metrics is not public in production (403 on the client port;
// a bearer token or a separate port opens it; dev mode leaves it open), it carries Node's default
// metrics and latency histograms; /readyz says 200 only while the store answers (Redis included:
// a SIGSTOPped redis-server makes it 503, and it recovers by itself).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './helpers/redis.js';
import { stopAllProcesses } from './helpers/processes.js';
import { request, startTestServer, waitFor, type TestServer } from './helpers/server.js';

let t: TestServer | undefined;
let redis: RedisServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(async () => {
  await redis?.stop();
  await stopAllProcesses();
});

const TOKEN = 'ops-metrics-token';
const get = (url: string, authorization?: string) => fetch(url, authorization ? { headers: { authorization } } : {});

describe('/metrics access', () => {
  it('production default: 403 on the client port with a hint, JSON error shape', async () => {
    t = await startTestServer();
    const res = await get(`${t.url}/metrics`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'forbidden', message: expect.stringContaining('metricsToken') });
  });

  it('with metricsToken: 401 without it or with a wrong one, 200 with it (any scheme case)', async () => {
    t = await startTestServer({ metricsToken: TOKEN });
    expect((await get(`${t.url}/metrics`)).status).toBe(401);
    expect((await get(`${t.url}/metrics`, 'Bearer nope-nope-nope')).status).toBe(401);
    expect((await get(`${t.url}/metrics`, `bearer ${TOKEN}`)).status).toBe(200);
  });

  it('metricsPort: served on a separate (loopback) port, not on the client port; only ops routes there', async () => {
    t = await startTestServer({ metricsPort: 0 });
    expect(t.server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await get(`${t.url}/metrics`)).status).toBe(403);
    expect((await get(`${t.server.metricsUrl}/metrics`)).status).toBe(200);
    expect((await get(`${t.server.metricsUrl}/readyz`)).status).toBe(200);
    expect((await get(`${t.server.metricsUrl}/api/v1/users/a/status`)).status).toBe(404);
  });

  it('dev mode leaves it open; default Node metrics and the latency histograms are there', async () => {
    t = await startTestServer({ dev: true });
    const alice = await t.login('alice');
    await t.login('bob');
    const { encodeFrames } = await import('../shared/frame.js');
    expect(await request(alice.socket, 'relay:frame', { to: 'bob', frame: encodeFrames([{ t: 0, st: 'u/', d: 'x' }]) })).toEqual({ code: 0 });
    const text = await (await get(`${t.url}/metrics`)).text();
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(text, name).toContain(`${name} `);
    }
    expect(text).toMatch(/rtsmesh_login_duration_seconds_count\{code="0"\} 2/);
    expect(text).toMatch(/rtsmesh_relay_duration_seconds_count\{event="relay:frame"\} 1/);
    expect(text).toContain('rtsmesh_unauthenticated_connections 0');
  });
});

describe('/healthz and /readyz', () => {
  it('memory store: both 200; during shutdown /readyz is 503 while /healthz stays 200', async () => {
    t = await startTestServer({ metricsPort: 0 });
    expect((await get(`${t.url}/healthz`)).status).toBe(200);
    expect(await (await get(`${t.url}/readyz`)).json()).toEqual({ ok: true });
    const raw = await t.connect();
    const shutdown = t.server.shutdown(10_000);
    // The client port stopped accepting; the metrics port still answers while draining.
    await waitFor(async () => (await get(`${t!.server.metricsUrl}/readyz`)).status === 503, 5000, 'not ready while draining');
    expect((await get(`${t.server.metricsUrl}/healthz`)).status).toBe(200);
    raw.disconnect();
    await shutdown;
  });

  it('with Redis: 503 while redis-server is stopped (SIGSTOP), 200 again after SIGCONT', async () => {
    redis = await startRedis();
    t = await startTestServer({ redis: redis.url, scaleOut: { keyPrefix: `ops${Date.now()}:`, commandTimeoutMs: 1000 } });
    expect((await get(`${t.url}/readyz`)).status).toBe(200);
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const res = await get(`${t.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ ok: false, reason: expect.stringMatching(/store/) });
      expect((await get(`${t.url}/healthz`)).status).toBe(200);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    await waitFor(async () => (await get(`${t!.url}/readyz`)).status === 200, 10_000, 'ready again');
  });
});
