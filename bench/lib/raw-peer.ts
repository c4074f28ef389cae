// Raw baseline: a simple-peer pair on one WebRTC stack, nothing of the SDK in between.
// Signals are handed across in-process (the signaling path is not what these figures measure),
// except in mesh formation, which signals through a raw socket.io server (raw-mesh.ts).
import Peer from 'simple-peer';
import type { Scope } from './scope.js';
import { loadStack, type StackName } from './webrtc.js';

export type RawPeer = Peer.Instance;

export interface RawPair {
  a: RawPeer;
  b: RawPeer;
}

/**
 * Opens a connected simple-peer pair (reliable ordered channel, no STUN). Closed with the scope.
 * Setting up is not what these figures measure, so a failed attempt is retried (up to 3): with
 * node-datachannel the offerer sometimes loses its ICE transport before the answer arrives
 * ("Got a remote candidate without ICE transport").
 */
export async function openRawPair(stack: StackName, scope: Scope, channelConfig?: RTCDataChannelInit): Promise<RawPair> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await tryPair(stack, scope, channelConfig);
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

async function tryPair(stack: StackName, scope: Scope, channelConfig?: RTCDataChannelInit): Promise<RawPair> {
  const wrtc = await loadStack(stack);
  const common = { wrtc: wrtc as Peer.Options['wrtc'], trickle: true, config: { iceServers: [] }, channelConfig };
  const a = new Peer({ ...common, initiator: true });
  const b = new Peer(common);
  scope.add(() => a.destroy());
  scope.add(() => b.destroy());
  let fail!: (e: unknown) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  a.once('error', fail);
  b.once('error', fail);
  // signal() can throw synchronously (e.g. setRemoteDescription on a connection that failed).
  const hand = (to: RawPeer) => (s: Peer.SignalData) => {
    try {
      to.signal(s);
    } catch (e) {
      fail(e);
    }
  };
  a.on('signal', hand(b));
  b.on('signal', hand(a));
  const timer = setTimeout(() => fail(new Error('pair did not connect within 10 s')), 10_000);
  try {
    await Promise.race([Promise.all([once(a, 'connect'), once(b, 'connect')]), failed]);
  } catch (e) {
    a.destroy();
    b.destroy();
    throw e;
  } finally {
    clearTimeout(timer);
    // Later errors (e.g. at destroy) must not become unhandled rejections.
    failed.catch(() => undefined);
    a.on('error', () => undefined);
    b.on('error', () => undefined);
  }
  return { a, b };
}

export function once(p: RawPeer, event: 'connect' | 'close'): Promise<void> {
  return new Promise((resolve) => p.once(event, () => resolve()));
}

/** Bytes queued in the peer's data channel. */
export function buffered(p: RawPeer): number {
  return (p as unknown as { bufferSize: number }).bufferSize ?? 0;
}

/**
 * Keeps a raw channel full: hands data over while bufferedAmount is under `highWater` (in bursts
 * of at most `burst` sends, so receive events in the same process get their turn), else waits
 * 1 ms. wrtc has no usable 'bufferedamountlow' event, so polling is the common ground.
 */
export function rawPump(p: RawPeer, payload: Uint8Array, highWater = 1 << 20, burst = 64): { start(): void; stop(): void } {
  let running = false;
  const pump = (): void => {
    if (!running) return;
    let n = 0;
    while (n < burst && buffered(p) < highWater) {
      p.send(payload);
      n++;
    }
    if (buffered(p) < highWater) setImmediate(pump);
    else setTimeout(pump, 1);
  };
  return {
    start() {
      running = true;
      pump();
    },
    stop() {
      running = false;
    },
  };
}
