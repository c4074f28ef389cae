// Helpers for the mesh integration tests: engines on real WebRTC (either Node stack) against a
// real signaling server, the state of every peer path as the app sees it
// (onPeerLinkStateChanged), the engine's link layer for link-level assertions and for cutting a
// link, and counting what the server relayed.
import { expect } from 'vitest';
import { exponentialBackoff, type RTS, type RTSParameters } from '../../client/index.js';
import type { PeerLinkManager } from '../../client/peer/link-manager.js';
import type { NodeWebRTCName } from '../../client/base-types.js';
import { joinAll, type Clients, type Member, type Recorder, type TestEngine } from './rts-clients.js';
import { sleep, waitFor, type TestServer } from './server.js';

export { STACKS } from './peer-pair.js';

/**
 * Server limits for streams of a thousand messages in a few seconds: the defaults (100 P2P/s,
 * 65 broadcasts/s) would make the tests slow, not more thorough. Sent to clients at login.
 */
export const FAST_LIMITS = { p2pPerSecond: 1000, roomBroadcastPerSecond: 1000, roomTotalPerSecond: 4000 };

/** Engine parameters for a mesh client on `stack`: links on, quick reconnects to the server. */
export function meshParams(stack: NodeWebRTCName = 'wrtc', extra: Partial<RTSParameters> = {}): Partial<RTSParameters> {
  return {
    relayOnly: false,
    webrtc: stack,
    reconnect: exponentialBackoff({ initialMs: 100, maxMs: 500 }),
    ...extra,
  };
}

/** Engines for `uids` on `stack`, logged in at once, then joined to `roomId` one after the other. */
export async function meshRoom(clients: Clients, uids: string[], roomId: string, stack: NodeWebRTCName = 'wrtc'): Promise<Member[]> {
  const engines = await Promise.all(uids.map((uid) => clients.login(uid, meshParams(stack))));
  return joinAll(engines, roomId);
}

/** The built-in link layer of a logged-in engine (fails the test when there is none). */
export function linksOf(e: TestEngine | RTS): PeerLinkManager {
  const rts = 'rts' in e ? e.rts : e;
  const links = rts.debugLinkManager();
  if (!links) throw new Error('engine has no link layer (relay only, logged out, or still loading)');
  return links as PeerLinkManager;
}

/** The latest path the engine reported for `uid` through onPeerLinkStateChanged. */
export function pathTo(rec: Recorder, uid: string): string | undefined {
  const states = rec.of('onPeerLinkStateChanged').filter(([peer]) => peer === uid);
  return states.at(-1)?.[1] as string | undefined;
}

/** Waits until each engine reports 'p2p' for each other one and its link to it is open. */
export async function waitForMesh(engines: TestEngine[], timeoutMs = 30_000): Promise<void> {
  await waitFor(
    () => engines.every((a) =>
      engines.every((b) => a === b || (pathTo(a.rec, b.uid) === 'p2p' && a.rts.debugLinkManager()?.isOpen(b.uid) === true))),
    timeoutMs,
    `a full mesh between ${engines.map((e) => e.uid).join(', ')}`,
  );
}

/** Waits until `a` and `b` report 'p2p' for each other. */
export async function waitForLink(a: TestEngine, b: TestEngine, timeoutMs = 30_000): Promise<void> {
  await waitForMesh([a, b], timeoutMs);
}

/** Message frames the server relayed so far (acks and signaling are not counted). */
export function relayed(srv: TestServer): number {
  return srv.server.stats().relayedMessages;
}

/** Waits until every id has a result among `results` (argument lists `[msgId, code]`); returns the codes by id. */
export async function resultsOf(rec: Recorder, event: string, ids: number[], timeoutMs = 20_000): Promise<number[]> {
  const codes = new Map<number, number>();
  await waitFor(() => {
    for (const [id, code] of rec.of(event) as Array<[number, number]>) if (!codes.has(id)) codes.set(id, code);
    return ids.every((id) => codes.has(id));
  }, timeoutMs, `${ids.length} ${event} results (have ${codes.size})`);
  return ids.map((id) => codes.get(id)!);
}

/** `from:text` of every call of a (uid, text) callback, in order. */
export function texts(rec: Recorder, event: string): string[] {
  return rec.of(event).map(([from, text]) => `${String(from)}:${String(text)}`);
}

/**
 * A P2P stream sent by `sender` as `n0, n1, …` (msgIds `ids`) all succeeded and reached
 * `receiver` once each and in order, as `<from>:n<i>`.
 */
export async function expectStreamDelivered(sender: Recorder, receiver: Recorder, from: string, ids: number[], timeoutMs = 30_000): Promise<void> {
  expect(ids.every((id) => id > 0)).toBe(true);
  const codes = await resultsOf(sender, 'onMessageSendResult', ids, timeoutMs);
  expect(codes.filter((c) => c !== 0)).toEqual([]);
  const expected = ids.map((_, i) => `${from}:n${i}`);
  await waitFor(() => texts(receiver, 'onMessageReceived').length >= expected.length, timeoutMs / 2, 'every message received');
  expect(texts(receiver, 'onMessageReceived')).toEqual(expected);
}

/** Sends `n0, n1, …` from `rts` to `to` every `everyMs` until stop(); `ids` are the msgIds in order. */
export function pumpMessages(rts: RTS, to: string, everyMs: number): { ids: number[]; stop(): Promise<void> } {
  const ids: number[] = [];
  let stopped = false;
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      ids.push(rts.sendMessage(to, `n${i}`));
      await sleep(everyMs);
    }
  })();
  return {
    ids,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}
