// Small parts of the SDK on their own: the typed emitter, the default reconnect policy, the
// client-side rate window, parameter validation, the network type detection.
import { describe, expect, it } from 'vitest';
import { exponentialBackoff, toRetryPolicy } from '../client/retry-policy.js';
import { SlidingWindow } from '../client/rate-window.js';
import { applyRuntimeParameters, resolveParameters, DEFAULT_PARAMETERS } from '../client/parameters.js';
import { TypedEmitter } from '../client/typed-emitter.js';
import { NetworkMonitor } from '../client/network-monitor.js';
import { limitsFrom } from '../client/session.js';
import { DEFAULT_LIMITS, NetworkType } from '../client/index.js';

describe('TypedEmitter', () => {
  it('calls listeners in order, supports off and once, and contains throwing listeners', () => {
    const errors: string[] = [];
    const em = new TypedEmitter<{ ping: (n: number) => void }>((ev) => errors.push(ev));
    const seen: string[] = [];
    const a = (n: number): void => void seen.push(`a${n}`);
    em.on('ping', a);
    em.on('ping', () => {
      throw new Error('boom');
    });
    em.once('ping', (n) => seen.push(`once${n}`));
    em.on('ping', (n) => seen.push(`c${n}`));
    em.emit('ping', 1);
    em.off('ping', a);
    em.emit('ping', 2);
    expect(seen).toEqual(['a1', 'once1', 'c1', 'c2']);
    expect(errors).toEqual(['ping', 'ping']);
  });

  it('an emit calls exactly the listeners there were when it began, whatever they add or remove', () => {
    const em = new TypedEmitter<{ ping: () => void }>();
    const seen: string[] = [];
    const b = (): void => void seen.push('b');
    const late = (): void => void seen.push('late');
    let first = true;
    em.on('ping', () => {
      seen.push('a');
      if (!first) return;
      first = false;
      em.off('ping', b); // removed during the emit: still called this time
      em.on('ping', late); // added during the emit: called from the next one
    });
    em.on('ping', b);
    em.emit('ping');
    expect(seen).toEqual(['a', 'b']);
    seen.length = 0;
    em.emit('ping');
    expect(seen).toEqual(['a', 'late']);
    expect(em.listenerCount('ping')).toBe(2);
    em.off('ping', late);
    em.off('ping', late); // not there any more: nothing changes
    expect(em.listenerCount('ping')).toBe(1);
  });
});

describe('exponentialBackoff (default reconnect policy)', () => {
  it('grows from about 500 ms to at most 5 s with jitter, unlimited by default', () => {
    const policy = exponentialBackoff();
    const d1 = policy.nextDelayMs(1)!;
    expect(d1).toBeGreaterThanOrEqual(400);
    expect(d1).toBeLessThanOrEqual(600);
    for (let i = 0; i < 50; i++) expect(policy.nextDelayMs(100)!).toBeLessThanOrEqual(6000);
    expect(policy.nextDelayMs(10_000)).not.toBeNull();
    expect(exponentialBackoff({ maxAttempts: 2 }).nextDelayMs(3)).toBeNull();
  });

  it('answers the same in the context shape (retryCount 0 = attempt 1)', () => {
    const policy = exponentialBackoff({ jitter: 0, maxAttempts: 2 });
    expect(policy.nextRetryDelayInMs({ retryCount: 0, elapsedMs: 0 })).toBe(500);
    expect(policy.nextRetryDelayInMs({ retryCount: 1, elapsedMs: 0 })).toBe(1000);
    expect(policy.nextRetryDelayInMs({ retryCount: 2, elapsedMs: 0 })).toBeNull();
  });

  it("adapts an app's earlier { nextDelayMs(attempt) } policy", () => {
    const attempts: number[] = [];
    const legacy = { nextDelayMs: (n: number) => (attempts.push(n), n > 2 ? null : 20 * n) };
    const policy = toRetryPolicy(legacy);
    expect(policy.nextRetryDelayInMs({ retryCount: 0, elapsedMs: 0 })).toBe(20);
    expect(policy.nextRetryDelayInMs({ retryCount: 2, elapsedMs: 0 })).toBeNull();
    expect(attempts).toEqual([1, 3]);
  });
});

describe('SlidingWindow', () => {
  it('allows `limit` takes in any one-second window', () => {
    let now = 0;
    const w = new SlidingWindow(() => 3, 1000, () => now);
    expect([w.tryTake(), w.tryTake(), w.tryTake(), w.tryTake()]).toEqual([true, true, true, false]);
    now = 999;
    expect(w.tryTake()).toBe(false);
    now = 1000;
    expect(w.tryTake()).toBe(true);
  });

  it('counts every take, also many in the same millisecond, and frees them a second later', () => {
    let now = 5;
    const w = new SlidingWindow(() => 1000, 1000, () => now);
    for (let i = 0; i < 600; i++) expect(w.tryTake()).toBe(true);
    now = 500;
    for (let i = 0; i < 400; i++) expect(w.tryTake()).toBe(true);
    expect(w.tryTake()).toBe(false);
    now = 1005; // the 600 of t=5 leave the window, the 400 of t=500 stay
    for (let i = 0; i < 600; i++) expect(w.tryTake()).toBe(true);
    expect(w.tryTake()).toBe(false);
    w.reset();
    expect(w.tryTake()).toBe(true);
  });
});

describe('parameters', () => {
  it('fills documented defaults', () => {
    const p = resolveParameters({ server: 'http://127.0.0.1:8080' });
    expect(p).toMatchObject({
      iceServers: [], relayOnly: false, requestTimeoutMs: 10_000, messageTimeoutMs: 30_000, sysStatsIntervalMs: 2_000,
    });
    expect(DEFAULT_PARAMETERS.messageTimeoutMs).toBe(30_000);
    expect(typeof (p.reconnect as { nextDelayMs?: unknown }).nextDelayMs).toBe('function');
  });

  it('rejects bad values and unknown keys with their names', () => {
    expect(() => resolveParameters({ server: 'ftp://x' })).toThrow(/server/);
    expect(() => resolveParameters({ server: 'http://x', requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
    expect(() => resolveParameters({ server: 'http://x', webrtc: 'webkit' as never })).toThrow(/webrtc/);
    expect(() => resolveParameters({ server: 'http://x', reconnect: {} as never })).toThrow(/reconnect/);
  });

  it('runtime updates apply valid keys and list the rest', () => {
    const p = resolveParameters({ server: 'http://x' });
    const update = applyRuntimeParameters(p, { relayOnly: true, server: 'http://y', iceServers: 'nope' })!;
    expect(update.applied).toEqual({ relayOnly: true });
    expect(update.unknownKeys).toEqual(['server']);
    expect(update.invalid.map((i) => i.key)).toEqual(['iceServers']);
    expect(p.relayOnly).toBe(true);
    expect(p.server).toBe('http://x');
    expect(applyRuntimeParameters(p, 42)).toBeNull();
  });
});

describe('limits from the login reply', () => {
  it('takes valid server values and keeps defaults for missing or bad ones', () => {
    expect(limitsFrom(undefined)).toEqual(DEFAULT_LIMITS);
    expect(limitsFrom({ maxMessageBytes: 1000, p2pPerSecond: -1 })).toEqual({ ...DEFAULT_LIMITS, maxMessageBytes: 1000 });
  });
});

describe('NetworkMonitor', () => {
  it('reports at start and on change only', () => {
    let type = NetworkType.LAN;
    const seen: NetworkType[] = [];
    const monitor = new NetworkMonitor((t) => seen.push(t), () => 60_000, () => type);
    monitor.start();
    (monitor as unknown as { poll(): void }).poll();
    type = NetworkType.Disconnected;
    (monitor as unknown as { poll(): void }).poll();
    monitor.stop();
    expect(seen).toEqual([NetworkType.LAN, NetworkType.Disconnected]);
  });
});
