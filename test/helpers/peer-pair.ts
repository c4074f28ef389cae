// Two LinkManagers in one process, wired to each other the way the signaling server would:
// every signal is JSON-serialised (as socket.io does) and delivered on a later macrotask, in order.
import type { Frame } from '../../shared/frame.js';
import { createLinkManager, type LinkManagerOptions, type PeerLinkManager } from '../../client/peer/link-manager.js';
import { restrictIceAddresses } from '../../client/peer/address-filter.js';
import type { NodeWebRTCName } from '../../client/base-types.js';
import { resolveWebRTC } from '../../client/peer/webrtc-impl.js';
import { waitClosely } from './wait.js';

export type LinkState = 'connecting' | 'open' | 'down' | 'closed';

export interface Side {
  uid: string;
  manager: PeerLinkManager;
  /** Every state event, in order. */
  states: Array<{ uid: string; state: LinkState }>;
  /** Every frame received, in order. */
  frames: Frame[];
}

export interface PeerPair {
  a: Side;
  b: Side;
  /** Stops forwarding signals in one direction (to simulate a lost path) or resumes it. */
  setForwarding(from: 'a' | 'b', on: boolean): void;
  destroy(): void;
}

export interface PeerPairOptions {
  aUid?: string;
  bUid?: string;
  manager?: Partial<Omit<LinkManagerOptions, 'localUid' | 'webrtc'>>;
  /** ICE addresses the links may use; default ['127.0.0.1'], null = the stack's own choice. */
  iceAddresses?: string[] | null;
  /** A side whose stack is not restricted at all (the other one still is). */
  unrestricted?: 'a' | 'b';
}

export async function createPeerPair(stack: NodeWebRTCName, opts: PeerPairOptions = {}): Promise<PeerPair> {
  const resolved = await resolveWebRTC(stack);
  const addresses = opts.iceAddresses === undefined ? ['127.0.0.1'] : opts.iceAddresses;
  const webrtc = addresses ? restrictIceAddresses(resolved, addresses) : resolved;
  const make = (uid: string, key: 'a' | 'b'): Side => {
    const manager = createLinkManager({
      connectTimeoutMs: 8_000, ...opts.manager, localUid: uid, webrtc: opts.unrestricted === key ? resolved : webrtc,
    });
    const side: Side = { uid, manager, states: [], frames: [] };
    manager.on('state', (peer, state) => side.states.push({ uid: peer, state }));
    manager.on('frames', (_peer, frames) => {
      for (const f of frames) side.frames.push(f);
    });
    return side;
  };
  const a = make(opts.aUid ?? 'alice', 'a');
  const b = make(opts.bUid ?? 'bob', 'b');
  const forwarding = { a: true, b: true };
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const wire = (from: Side, to: Side, key: 'a' | 'b'): void => {
    from.manager.on('signal', (target, signal) => {
      if (target !== to.uid || !forwarding[key]) return;
      const json = JSON.stringify(signal);
      const t = setTimeout(() => {
        timers.delete(t);
        to.manager.handleSignal(from.uid, JSON.parse(json) as Record<string, unknown>);
      }, 0);
      timers.add(t);
    });
  };
  wire(a, b, 'a');
  wire(b, a, 'b');
  return {
    a,
    b,
    setForwarding(from, on) {
      forwarding[from] = on;
    },
    destroy() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      a.manager.destroy();
      b.manager.destroy();
    },
  };
}

export { waitClosely as waitFor };

export async function waitOpen(pair: PeerPair): Promise<void> {
  await waitClosely(() => pair.a.manager.isOpen(pair.b.uid) && pair.b.manager.isOpen(pair.a.uid), 10_000, 'both sides of the link to be open');
}

export const STACKS: NodeWebRTCName[] = ['wrtc', 'node-datachannel'];
