// client/peer/address-watch.ts and the link manager's rule for it (link-entry.ts): local
// addresses that appear while a link is not open make attempts that lack them start afresh (the
// wire-cut test in network-link-cut.test.ts shows it on real interfaces).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AddressWatch } from '../client/peer/address-watch.js';
import { needsFreshAttempt, newEntry, type Entry, type UidState } from '../client/peer/link-entry.js';
import type { PeerLink } from '../client/peer/peer-link.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A watch over `host.now`, polling every 100 ms on fake timers; what it reported in `seen`. */
function watchOver(initial: string[]): { host: { now: string[] }; seen: string[][]; watch: AddressWatch } {
  vi.useFakeTimers();
  const host = { now: initial };
  const seen: string[][] = [];
  const watch = new AddressWatch((added) => seen.push(added), 100, () => host.now);
  watch.start();
  return { host, seen, watch };
}

describe('AddressWatch', () => {
  it('reports the addresses that appear while watching, not those there at the start nor those that went', () => {
    const { host, seen, watch } = watchOver(['10.0.0.1', '10.0.1.1']);
    vi.advanceTimersByTime(300);
    expect(seen).toEqual([]);
    host.now = ['10.0.0.1']; // an interface went down
    vi.advanceTimersByTime(100);
    expect(seen).toEqual([]);
    host.now = ['10.0.0.1', '10.0.1.1']; // and came back
    vi.advanceTimersByTime(100);
    expect(seen).toEqual([['10.0.1.1']]);
    vi.advanceTimersByTime(500);
    expect(seen).toEqual([['10.0.1.1']]);
    watch.stop();
    expect(watch.watching).toBe(false);
    host.now = ['10.0.2.1'];
    vi.advanceTimersByTime(500);
    expect(seen).toEqual([['10.0.1.1']]);
  });

  it('leaves IPv6 link-local addresses out (no WebRTC stack gathers them)', () => {
    const { host, seen, watch } = watchOver(['10.0.0.1']);
    host.now = ['10.0.0.1', 'fe80::1', 'FEBF::2', '2001:db8::1'];
    vi.advanceTimersByTime(100);
    expect(seen).toEqual([['2001:db8::1']]);
    watch.stop();
  });

  it('from the addresses there when started again', () => {
    const { host, seen, watch } = watchOver(['10.0.0.1']);
    watch.stop();
    host.now = ['10.0.0.1', '10.0.1.1'];
    watch.start();
    vi.advanceTimersByTime(300);
    expect(seen).toEqual([]);
    watch.stop();
  });
});

describe('which attempts start afresh when addresses appear', () => {
  const entry = (state: UidState, link: { gathered: string[] } | null, opts: { wanted?: boolean; declined?: boolean; retrying?: boolean } = {}): Entry => {
    const e = newEntry('bob');
    if (opts.wanted !== false) e.reasons.add('p2p');
    e.declined = opts.declined ?? false;
    // Only its presence matters here; never armed.
    if (opts.retrying !== false && state === 'down' && !link) e.retryTimer = {} as ReturnType<typeof setTimeout>;
    e.state = state;
    e.link = link ? ({ gatheredAddresses: new Set(link.gathered) } as unknown as PeerLink) : null;
    return e;
  };

  it('an attempt under way that gathered none of them, or one waiting for a retry or an offer', () => {
    expect(needsFreshAttempt(entry('connecting', { gathered: ['10.0.0.1'] }), ['10.0.1.1'])).toBe(true);
    expect(needsFreshAttempt(entry('down', null), ['10.0.1.1'])).toBe(true);
    expect(needsFreshAttempt(entry('connecting', null), ['10.0.1.1'])).toBe(true);
    // A browser's 'online' names no address: every attempt under way.
    expect(needsFreshAttempt(entry('connecting', { gathered: ['10.0.1.1'] }), [])).toBe(true);
  });

  it('not an attempt that has them already, an open or stalled link, a link nobody wants or the remote declined, nor once the backoff gave up', () => {
    expect(needsFreshAttempt(entry('down', null, { retrying: false }), ['10.0.1.1'])).toBe(false);
    expect(needsFreshAttempt(entry('connecting', { gathered: ['10.0.0.1', '10.0.1.1'] }), ['10.0.1.1'])).toBe(false);
    expect(needsFreshAttempt(entry('open', { gathered: [] }), ['10.0.1.1'])).toBe(false);
    expect(needsFreshAttempt(entry('down', { gathered: [] }), ['10.0.1.1'])).toBe(false);
    expect(needsFreshAttempt(entry('down', null, { wanted: false }), ['10.0.1.1'])).toBe(false);
    expect(needsFreshAttempt(entry('down', null, { declined: true }), ['10.0.1.1'])).toBe(false);
  });
});
