// The liveness rules of one link (client/peer/liveness.ts), on a fake clock: a heartbeat only
// when the outbound is idle, never while traffic flows; silent past the timeout → stalled once;
// anything heard → alive; a send buffer the remote keeps draining counts as life; a tick that
// comes late (blocked event loop) judges nothing. The real-wire behaviour is in
// network-link-cut.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_WIRE_MESSAGE_BYTES, LARGE_WIRE_MESSAGE_BYTES, maxWireBytesFor } from '../client/peer/chunking.js';
import { HEARTBEAT, isHeartbeat, Liveness } from '../client/peer/liveness.js';

const TIMEOUT = 2000;

function harness(opts: { drained?: () => boolean } = {}) {
  const log: string[] = [];
  let sent = 0;
  const liveness = new Liveness(TIMEOUT, {
    sendHeartbeat: () => log.push('heartbeat'),
    sentCount: () => sent,
    outboundDrained: opts.drained,
    stalled: () => log.push('stalled'),
    alive: () => log.push('alive'),
  });
  return { liveness, log, send: () => sent++ };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('link liveness', () => {
  it('the heartbeat is one byte no wire message can be, sent only on an idle outbound', () => {
    expect(isHeartbeat(HEARTBEAT)).toBe(true);
    expect(isHeartbeat(Uint8Array.of(0x91, 0xc0))).toBe(false);
    expect(isHeartbeat(Uint8Array.of(0xc1))).toBe(false);
    const h = harness();
    h.liveness.start();
    // Traffic flows both ways: no heartbeat at all.
    for (let t = 0; t < 5000; t += 100) {
      h.send();
      h.liveness.heard();
      vi.advanceTimersByTime(100);
    }
    expect(h.log).toEqual([]);
    // Idle: a heartbeat once the outbound has been idle for 0.4 of the timeout (800 ms here),
    // checked every tenth: every 800-1000 ms, so never more than half the timeout apart.
    const at: number[] = [];
    const beats = (): number => h.log.filter((e) => e === 'heartbeat').length;
    for (let t = 100; t <= 6000; t += 100) {
      if (t % 500 === 0) h.liveness.heard();
      const before = beats();
      vi.advanceTimersByTime(100);
      if (beats() > before) at.push(t);
    }
    expect(at.length, String(at)).toBeGreaterThanOrEqual(6);
    expect(at.length).toBeLessThanOrEqual(8);
    expect(at[0]).toBeLessThanOrEqual(TIMEOUT / 2);
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeLessThanOrEqual(TIMEOUT / 2);
    expect(h.log).not.toContain('stalled');
    h.liveness.stop();
  });

  it('silent past the timeout: stalled once; the first byte heard: alive', () => {
    const h = harness();
    h.liveness.start();
    vi.advanceTimersByTime(TIMEOUT - 300);
    expect(h.log).not.toContain('stalled');
    vi.advanceTimersByTime(600);
    expect(h.log.filter((e) => e === 'stalled')).toHaveLength(1);
    expect(h.liveness.isStalled).toBe(true);
    vi.advanceTimersByTime(5000);
    expect(h.log.filter((e) => e === 'stalled')).toHaveLength(1);
    h.liveness.heard();
    expect(h.log.at(-1)).toBe('alive');
    expect(h.liveness.isStalled).toBe(false);
    h.liveness.stop();
  });

  it('a send buffer the remote keeps draining counts as life', () => {
    let buffered = 10_000_000;
    const h = harness({ drained: () => ((buffered -= 1000), true) });
    h.liveness.start();
    vi.advanceTimersByTime(10_000);
    expect(h.log).not.toContain('stalled');
    h.liveness.stop();
    const stuck = harness({ drained: () => false });
    stuck.liveness.start();
    vi.advanceTimersByTime(TIMEOUT + 500);
    expect(stuck.log).toContain('stalled');
    stuck.liveness.stop();
  });

  it('a tick that comes late (the event loop was blocked) judges nothing', () => {
    const h = harness();
    h.liveness.start();
    // Block the clock past the timeout without letting a tick run, then let one run late.
    vi.setSystemTime(Date.now() + TIMEOUT * 2);
    vi.advanceTimersByTime(250);
    expect(h.log).not.toContain('stalled');
    // Inbound data that waited behind the block is heard before the next tick.
    h.liveness.heard();
    vi.advanceTimersByTime(1000);
    expect(h.log).not.toContain('stalled');
    h.liveness.stop();
  });
});

describe('the largest data-channel message towards a remote', () => {
  it("follows its SDP's a=max-message-size (RFC 8841), up to 256 KiB", () => {
    expect(maxWireBytesFor(undefined)).toBe(DEFAULT_MAX_WIRE_MESSAGE_BYTES);
    expect(maxWireBytesFor('v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n')).toBe(64 * 1024);
    expect(maxWireBytesFor('v=0\r\na=max-message-size:262144\r\n')).toBe(LARGE_WIRE_MESSAGE_BYTES);
    expect(maxWireBytesFor('v=0\r\na=max-message-size:1073741823\r\n')).toBe(LARGE_WIRE_MESSAGE_BYTES);
    expect(maxWireBytesFor('v=0\r\na=max-message-size:0\r\n')).toBe(LARGE_WIRE_MESSAGE_BYTES);
    expect(maxWireBytesFor('v=0\r\na=max-message-size:16384\r\n')).toBe(16_384);
  });
});
