// RTSParameters.iceAddresses / restrictIceAddresses (client/peer/address-filter.ts): peer links
// keep to the listed addresses — here 127.0.0.1, as every WebRTC test does — on both Node stacks,
// through the link layer and through createRTS.
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { candidateAddress, restrictIceAddresses } from '../client/peer/address-filter.js';
import type { PeerLinkManager } from '../client/peer/link-manager.js';
import { resolveWebRTC } from '../client/peer/webrtc-impl.js';
import { resolveParameters } from '../client/parameters.js';
import { meshParams, waitForLink } from './helpers/mesh.js';
import { createPeerPair, STACKS, waitOpen, type PeerPair } from './helpers/peer-pair.js';
import { Clients } from './helpers/rts-clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

interface SelectedPair {
  local: { address?: string; type?: string };
  remote: { address?: string; type?: string };
}

/** The selected candidate pair of a connection, from getStats (transport → selectedCandidatePairId). */
async function selectedPair(pc: RTCPeerConnection): Promise<SelectedPair> {
  const report = await pc.getStats();
  const byId = new Map<string, Record<string, unknown>>();
  report.forEach((v: Record<string, unknown>) => byId.set(v.id as string, v));
  const stats = [...byId.values()];
  const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
  const pair = transport
    ? byId.get(transport.selectedCandidatePairId as string)
    : stats.find((s) => s.type === 'candidate-pair' && (s.selected === true || (s.nominated === true && s.state === 'succeeded')));
  if (!pair) throw new Error('no selected candidate pair');
  const side = (id: unknown): SelectedPair['local'] => {
    const c = byId.get(id as string) ?? {};
    return { address: (c.address ?? c.ip) as string | undefined, type: c.candidateType as string | undefined };
  };
  return { local: side(pair.localCandidateId), remote: side(pair.remoteCandidateId) };
}

/** Addresses of every candidate a manager signals (trickled or inside an SDP). */
function recordCandidates(manager: PeerLinkManager): string[] {
  const seen: string[] = [];
  manager.on('signal', (_uid, signal) => {
    const s = signal as { candidate?: { candidate?: string }; sdp?: string };
    if (s.candidate?.candidate) seen.push(candidateAddress(s.candidate.candidate) ?? '?');
    for (const line of s.sdp?.split(/\r?\n/) ?? []) if (line.startsWith('a=candidate:')) seen.push(candidateAddress(line) ?? '?');
  });
  return seen;
}

/** This machine's own non-loopback addresses (a libwebrtc socket may sit on one of them). */
const otherLocal = Object.values(networkInterfaces()).flat().map((i) => i?.address).filter((a): a is string => !!a);

const pcOf = (from: PeerLinkManager, to: string): RTCPeerConnection => {
  const pc = from.linkFor(to)?.rtcPeerConnection;
  if (!pc) throw new Error(`no connection to ${to}`);
  return pc;
};

describe.each(STACKS)('restrictIceAddresses on %s', (stack) => {
  let pair: PeerPair | null = null;
  afterEach(() => {
    pair?.destroy();
    pair = null;
  });

  it('with [127.0.0.1] both ends only announce 127.0.0.1 and the selected pair runs over it', async () => {
    pair = await createPeerPair(stack, { aUid: 'a-small', bUid: 'b-large', iceAddresses: ['127.0.0.1'] });
    const { a, b } = pair;
    const fromA = recordCandidates(a.manager);
    const fromB = recordCandidates(b.manager);
    a.manager.want(b.uid, 'room');
    await waitOpen(pair);
    expect(fromA.length + fromB.length).toBeGreaterThan(0);
    expect(new Set([...fromA, ...fromB])).toEqual(new Set(['127.0.0.1']));

    // Each end only has the other's 127.0.0.1 candidate, plus peer-reflexive ones learned on its
    // own 127.0.0.1 socket: every pair, so the selected one too, has 127.0.0.1 at one end or both.
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const sel = await selectedPair(pcOf(from.manager, to.uid));
      expect([sel.local.address, sel.remote.address]).toContain('127.0.0.1');
      for (const addr of [sel.local.address, sel.remote.address]) if (addr) expect(['127.0.0.1', ...otherLocal]).toContain(addr);
      // libdatachannel is bound to 127.0.0.1 (bindAddress): it has no other socket at all. @roamhq/wrtc
      // (libwebrtc) cannot be told which interfaces to gather on and may send to the other end's
      // 127.0.0.1 from a socket on another local interface (the packets still only use loopback).
      if (stack === 'node-datachannel') expect(sel.local.address).toBe('127.0.0.1');
    }
  });

  it.each(['a', 'b'] as const)('only one end restricted (%s not): the link still forms, toward 127.0.0.1', async (free) => {
    pair = await createPeerPair(stack, { aUid: 'a-small', bUid: 'b-large', unrestricted: free });
    const restricted = free === 'a' ? pair.b : pair.a;
    const other = free === 'a' ? pair.a : pair.b;
    const announced = recordCandidates(restricted.manager);
    pair.a.manager.want(pair.b.uid, 'room');
    await waitOpen(pair);
    expect(new Set(announced)).toEqual(new Set(['127.0.0.1']));
    const sel = await selectedPair(pcOf(restricted.manager, other.uid));
    expect([sel.local.address, sel.remote.address]).toContain('127.0.0.1');
  });

  it('without a list the wrapper is a pass-through: every gathered candidate is announced', async () => {
    const base = await resolveWebRTC(stack);
    const open = restrictIceAddresses(base, () => undefined);
    const only = restrictIceAddresses(base, ['127.0.0.1']);
    // Gathering only (no ICE checks, no traffic): what each connection announces.
    const gather = async (impl: typeof base): Promise<string[]> => {
      const pc = new impl.RTCPeerConnection({ iceServers: [] });
      const viaHandler: string[] = [];
      const viaListener: string[] = [];
      pc.onicecandidate = (e) => {
        if (e.candidate?.candidate) viaHandler.push(candidateAddress(e.candidate.candidate) ?? '?');
      };
      pc.addEventListener('icecandidate', (e) => {
        if (e.candidate?.candidate) viaListener.push(candidateAddress(e.candidate.candidate) ?? '?');
      });
      pc.createDataChannel('x');
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 3000);
        const check = (): void => {
          if (pc.iceGatheringState === 'complete') {
            clearTimeout(t);
            resolve();
          }
        };
        pc.addEventListener('icegatheringstatechange', check);
        check();
      });
      await new Promise((r) => setTimeout(r, 50)); // wrtc raises events on the next tick
      pc.close();
      expect(viaListener.sort()).toEqual(viaHandler.sort());
      return viaHandler;
    };
    const raw = await gather(base);
    const all = await gather(open);
    const restricted = await gather(only);
    expect(new Set(all)).toEqual(new Set(raw));
    expect(new Set(restricted)).toEqual(new Set(['127.0.0.1']));
  });
});

/**
 * A stand-in for a browser's native RTCPeerConnection: onicecandidate is a prototype accessor and
 * events are fired from inside (not through the JS dispatchEvent), as in Chrome.
 */
class NativeLikePC extends EventTarget {
  #handler: ((e: Event) => void) | null = null;
  applied: Array<string | undefined> = [];
  remoteSdp: string | undefined;
  readonly config: unknown;
  constructor(config?: unknown) {
    super();
    this.config = config;
  }
  get onicecandidate(): ((e: Event) => void) | null {
    return this.#handler;
  }
  set onicecandidate(h: ((e: Event) => void) | null) {
    this.#handler = h;
  }
  /** What the engine does when it gathered a candidate. */
  fire(candidate: string | null): void {
    const e = Object.assign(new Event('icecandidate'), { candidate: candidate === null ? null : { candidate } });
    this.#handler?.(e);
    EventTarget.prototype.dispatchEvent.call(this, e);
  }
  addIceCandidate(c?: { candidate?: string }): Promise<void> {
    this.applied.push(c?.candidate);
    return Promise.resolve();
  }
  setRemoteDescription(d: { sdp?: string }): Promise<void> {
    this.remoteSdp = d.sdp;
    return Promise.resolve();
  }
  get localDescription(): { type: string; sdp: string } {
    return { type: 'offer', sdp: 'v=0\r\na=candidate:1 1 udp 1 192.0.2.9 5 typ host\r\na=candidate:2 1 udp 1 127.0.0.1 6 typ host\r\n' };
  }
}

describe('restrictIceAddresses on a browser-like native connection', () => {
  const host = (address: string): string => `candidate:1 1 udp 2122063615 ${address} 40000 typ host generation 0`;
  const make = (addresses: string[] | (() => string[] | undefined)) => {
    const impl = restrictIceAddresses({ RTCPeerConnection: NativeLikePC as unknown as typeof RTCPeerConnection }, addresses);
    return new impl.RTCPeerConnection({ iceServers: [] }) as unknown as NativeLikePC;
  };

  it('filters the onicecandidate handler and icecandidate listeners, end-of-candidates passes', () => {
    const pc = make(['127.0.0.1', 'FD00::1']);
    const byHandler: Array<string | null> = [];
    const byListener: Array<string | null> = [];
    const listener = (e: Event): void => {
      byListener.push((e as Event & { candidate: { candidate: string } | null }).candidate?.candidate ?? null);
    };
    pc.onicecandidate = (e) => byHandler.push((e as Event & { candidate: { candidate: string } | null }).candidate?.candidate ?? null);
    pc.addEventListener('icecandidate', listener);
    for (const a of ['192.0.2.2', '127.0.0.1', 'fd00::1', 'abc.local']) pc.fire(host(a));
    pc.fire(null);
    const expected = [host('127.0.0.1'), host('fd00::1'), null];
    expect(byHandler).toEqual(expected);
    expect(byListener).toEqual(expected);
    expect(typeof pc.onicecandidate).toBe('function');
    pc.removeEventListener('icecandidate', listener);
    pc.fire(host('127.0.0.1'));
    expect(byListener).toHaveLength(3);
  });

  it('drops other remote candidates and SDP lines, strips its own description, no bindAddress', async () => {
    const pc = make(['127.0.0.1']);
    await pc.addIceCandidate({ candidate: host('192.0.2.9') });
    await pc.addIceCandidate({ candidate: `a=${host('127.0.0.1')}` });
    await pc.addIceCandidate({ candidate: '' });
    expect(pc.applied).toEqual([`a=${host('127.0.0.1')}`, '']);
    await pc.setRemoteDescription({ sdp: `v=0\r\na=${host('192.0.2.9')}\r\na=${host('127.0.0.1')}\r\n` });
    expect(pc.remoteSdp).toBe(`v=0\r\na=${host('127.0.0.1')}\r\n`);
    expect(pc.localDescription.sdp).not.toContain('192.0.2.9');
    expect(pc.localDescription.sdp).toContain('127.0.0.1');
    expect(pc.config).toEqual({ iceServers: [] });
  });

  it('a getter that returns undefined means no restriction', async () => {
    let list: string[] | undefined;
    const pc = make(() => list);
    const seen: string[] = [];
    pc.onicecandidate = (e) => seen.push((e as Event & { candidate: { candidate: string } }).candidate.candidate);
    pc.fire(host('192.0.2.2'));
    list = ['127.0.0.1'];
    pc.fire(host('192.0.2.2'));
    expect(seen).toEqual([host('192.0.2.2')]);
  });
});

describe('iceAddresses parameter', () => {
  let srv: TestServer | undefined;
  const clients = new Clients(() => srv!);
  afterEach(async () => {
    clients.destroyAll();
    await srv?.close();
    srv = undefined;
  });

  it('accepts IPv4/IPv6 lists, refuses anything else, and changes at runtime', async () => {
    expect(resolveParameters({ server: 'http://x', iceAddresses: ['127.0.0.1', '::1'] }).iceAddresses).toEqual(['127.0.0.1', '::1']);
    expect(resolveParameters({ server: 'http://x' }).iceAddresses).toBeUndefined();
    expect(() => resolveParameters({ server: 'http://x', iceAddresses: ['localhost'] })).toThrow(/iceAddresses/);
    expect(() => resolveParameters({ server: 'http://x', iceAddresses: [] })).toThrow(/iceAddresses/);
    srv = await startTestServer();
    const { rts } = clients.create();
    expect(rts.setRuntimeParameters({ iceAddresses: ['127.0.0.1'] })).toBe(0);
    expect(rts.setRuntimeParameters({ iceAddresses: null })).toBe(0);
    expect(rts.setRuntimeParameters({ iceAddresses: 'nope' })).toBe(-2);
  });

  it('engines with iceAddresses [127.0.0.1] link over 127.0.0.1 on both ends (node-datachannel)', async () => {
    srv = await startTestServer();
    const params = meshParams('node-datachannel', { iceAddresses: ['127.0.0.1'] });
    const [alice, bob] = await Promise.all([clients.login('alice', params), clients.login('bob', params)]);
    await alice.join('loop');
    await bob.join('loop');
    await waitForLink(alice, bob);
    const links = (e: typeof alice): PeerLinkManager => e.rts.debugLinkManager() as PeerLinkManager;
    for (const [from, to] of [[alice, bob], [bob, alice]] as const) {
      const sel = await selectedPair(pcOf(links(from), to.uid));
      expect(sel.local.address).toBe('127.0.0.1');
      expect(['127.0.0.1', '']).toContain(sel.remote.address ?? '');
    }
  });
});
