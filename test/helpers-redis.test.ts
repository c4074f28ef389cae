// Guards the Redis test helper the scale-out tests rely on: a private redis-server that really
// answers, comes back on the same port after restart(), and leaves no process behind.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { freePort, isPidAlive, runningPids, spawnProcess, startProcess, stopAllProcesses } from './helpers/processes.js';
import { startRedis, stopAllRedis, type RedisServer } from './helpers/redis.js';

const clients: Redis[] = [];
function client(url: string): Redis {
  // No reconnect storms in tests: fail fast and let the test say what went wrong.
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  clients.push(c);
  return c;
}

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await stopAllRedis();
  await stopAllProcesses();
});

describe('startRedis test helper', () => {
  let redis: RedisServer;

  it('starts a redis-server on 127.0.0.1 that answers PING, SET and GET', async () => {
    redis = await startRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.port).toBeGreaterThan(0);
    expect(isPidAlive(redis.pid)).toBe(true);

    const c = client(redis.url);
    await c.connect();
    expect(await c.ping()).toBe('PONG');
    expect(await c.set('greeting', 'hello')).toBe('OK');
    expect(await c.get('greeting')).toBe('hello');
    // Persistence is off, so a restart really starts empty (and nothing is written to disk).
    expect(await c.config('GET', 'save')).toEqual(['save', '']);
    expect(await c.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    c.disconnect();
  });

  it('restart() brings a fresh server back on the same port', async () => {
    const oldPid = redis.pid;
    const port = redis.port;
    await redis.restart();
    expect(redis.port).toBe(port);
    expect(redis.pid).not.toBe(oldPid);
    expect(isPidAlive(oldPid)).toBe(false);

    const c = client(redis.url);
    await c.connect();
    expect(await c.ping()).toBe('PONG');
    expect(await c.get('greeting')).toBeNull();
    await c.set('after-restart', '1');
    expect(await c.get('after-restart')).toBe('1');
    c.disconnect();
  });

  it('kill() makes the port refuse connections until start()', async () => {
    await redis.kill();
    const down = client(redis.url);
    down.on('error', () => {}); // the refused connection is the point here
    await expect(down.connect()).rejects.toThrow();
    await redis.start();
    const up = client(redis.url);
    await up.connect();
    expect(await up.ping()).toBe('PONG');
    up.disconnect();
  });

  it('stop() ends the process and leaves nothing running', async () => {
    const pid = redis.pid;
    await redis.stop();
    expect(isPidAlive(pid)).toBe(false);
    expect(runningPids()).toEqual([]);
    await redis.stop(); // idempotent
  });

  it('two servers started together get different ports', async () => {
    const [a, b] = await Promise.all([startRedis(), startRedis()]);
    expect(a.port).not.toBe(b.port);
    const ca = client(a.url);
    const cb = client(b.url);
    await Promise.all([ca.connect(), cb.connect()]);
    await ca.set('k', 'a');
    expect(await cb.get('k')).toBeNull();
    await Promise.all([a.stop(), b.stop()]);
    expect(runningPids()).toEqual([]);
  });
});

describe('process helpers under startRedis', () => {
  it('startProcess resolves with the ready line and stop() ends the child', async () => {
    const { proc, match } = await startProcess(
      process.execPath,
      ['-e', 'setTimeout(() => console.log("listening on 4242"), 100); setInterval(() => {}, 1000)'],
      { readyLine: /listening on (\d+)/ },
    );
    expect(match[1]).toBe('4242');
    expect(isPidAlive(proc.pid)).toBe(true);
    const info = await proc.stop();
    expect(info.signal).toBe('SIGTERM');
    expect(isPidAlive(proc.pid)).toBe(false);
  });

  it('stop() escalates to SIGKILL when SIGTERM is ignored', async () => {
    const { proc } = await startProcess(
      process.execPath,
      ['-e', 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)'],
      { readyLine: /^up$/ },
    );
    const info = await proc.stop(300);
    expect(info.signal).toBe('SIGKILL');
    expect(runningPids()).not.toContain(proc.pid);
  });

  it('waitForLine rejects with the output when the child exits first', async () => {
    const proc = spawnProcess(process.execPath, ['-e', 'console.error("boom"); process.exit(3)'], { name: 'crasher' });
    await expect(proc.waitForLine(/never/, { timeoutMs: 10_000 })).rejects.toThrow(/crasher: exited \(code 3.*boom/s);
  });

  it('freePort returns a port that can be listened on', async () => {
    const port = await freePort();
    const srv = createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => srv.close(() => resolve()));
    expect(port).toBeGreaterThan(1023);
  });
});
