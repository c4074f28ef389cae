// Raw baseline mesh: socket.io clients of raw-relay-server.ts that open a simple-peer link to
// every other member of a room, signaling through the server. The newcomer initiates to the
// members its join ack lists, so each pair has exactly one initiator.
import Peer from 'simple-peer';
import type { Socket } from 'socket.io-client';
import { rawClient } from './raw-client.js';
import { until, type Scope } from './scope.js';
import { loadStack, type StackName } from './webrtc.js';

export interface RawMember {
  uid: string;
  socket: Socket;
  peers: Map<string, Peer.Instance>;
  connected: Set<string>;
  /** Links that failed before connecting (a run with one fails at once instead of timing out). */
  failures: string[];
}

/** Connects `n` raw clients (no room yet). */
export async function rawMembers(url: string, uids: string[], scope: Scope): Promise<RawMember[]> {
  return Promise.all(
    uids.map(async (uid) => ({ uid, socket: await rawClient(url, uid, scope), peers: new Map(), connected: new Set<string>(), failures: [] as string[] })),
  );
}

/** Every member joins `room` at once and links up; resolves when every pair is connected. */
export async function formRawMesh(members: RawMember[], room: string, stack: StackName, scope: Scope, timeoutMs: number): Promise<void> {
  await joinRawMesh(members, room, stack, scope);
  await waitRawMesh(members, members.length, timeoutMs);
}

/**
 * Every member (possibly a part of the room; the rest may live in other processes) joins `room`
 * and opens links: to the members its join ack lists (as initiator), and to whoever signals it.
 */
export async function joinRawMesh(members: RawMember[], room: string, stack: StackName, scope: Scope): Promise<void> {
  const wrtc = (await loadStack(stack)) as Peer.Options['wrtc'];
  const open = (m: RawMember, uid: string, initiator: boolean): Peer.Instance => {
    const p = new Peer({ initiator, wrtc, trickle: true, config: { iceServers: [] } });
    scope.add(() => p.destroy());
    m.peers.set(uid, p);
    p.on('signal', (sig) => m.socket.emit('signal', uid, sig));
    p.once('connect', () => m.connected.add(uid));
    const failed = (why: string): void => {
      if (!m.connected.has(uid) && !scope.isClosed) m.failures.push(`${m.uid}→${uid} (${initiator ? 'offerer' : 'answerer'}): ${why}`);
    };
    p.on('error', (e: Error) => failed(e.message));
    p.once('close', () => failed('closed before connecting'));
    return p;
  };
  for (const m of members) {
    m.socket.on('signal', (from: string, sig: Peer.SignalData) => {
      try {
        (m.peers.get(from) ?? open(m, from, false)).signal(sig);
      } catch {
        // a signal for a peer that already failed (recorded in failures)
      }
    });
  }
  await Promise.all(
    members.map(async (m) => {
      const before = (await m.socket.emitWithAck('join', room)) as string[];
      for (const uid of before) if (!m.peers.has(uid)) open(m, uid, true);
    }),
  );
}

/**
 * Resolves when each member has a connected link to every other member of a room of `roomSize`;
 * rejects at the first link that fails before connecting.
 */
export function waitRawMesh(members: RawMember[], roomSize: number, timeoutMs: number): Promise<void> {
  return until(
    `raw mesh of ${roomSize}`,
    () => {
      const failed = members.find((m) => m.failures.length > 0);
      if (failed) throw new Error(`link failed: ${failed.failures[0]}`);
      return members.every((m) => m.connected.size === roomSize - 1);
    },
    timeoutMs,
  );
}
