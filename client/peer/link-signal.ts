// What two link managers say to each other through the signaling server (the `signal` record of
// rtc:signal). Every message that belongs to one link attempt names it by link id (`lid`), so
// signals of a replaced or destroyed link are recognised and ignored. A link id is
// `<epoch>.<counter>`: the epoch is random per LinkManager instance, the counter grows with
// every link that instance starts, so two ids of the same instance can be ordered.
//
//   offer | answer | candidate  simple-peer's own signal data, plus lid and the sender's epoch
//   link-request                the larger uid asks the smaller one to start a link; `seen` is
//                               the last link id it received an offer for (the one it now
//                               considers dead), so the initiator can tell a stale request
//   close                       the sender closed link `lid` on purpose
//   decline                     the sender takes no peer links at all (relay-only mode): the
//                               offer `lid` (or, without lid, the link-request) is refused and
//                               asking again is pointless until the sender itself asks
//
// Everything arriving here is validated before simple-peer sees it: garbage must not reach
// RTCPeerConnection, where some implementations throw from places no caller can catch.
import * as z from '../../shared/zod.js';

const lid = z.string().check(z.regex(/^[0-9a-f]{1,16}\.[0-9]{1,15}$/));
const ep = z.string().check(z.regex(/^[0-9a-f]{1,16}$/));
/** An SDP for a data-only session is ~1-2 KiB; the bound only stops absurd payloads. */
const sdp = z.string().check(z.maxLength(64 * 1024), z.regex(/^v=0\r?\n/));
/**
 * RFC 8839 candidate-attribute, loosely: enough that an implementation's parser is never handed
 * garbage (node-datachannel's polyfill rejects it asynchronously, which simple-peer turns into a
 * dead link; @roamhq/wrtc logs a warning). '' is end-of-candidates. libdatachannel writes an
 * 'a=' prefix, which peer-link.ts strips on the way out; it is still accepted on the way in.
 */
const candidateLine = z.string().check(
  z.maxLength(2048),
  z.regex(/^(?:$|(?:a=)?candidate:\S+ \d+ (?:udp|tcp|UDP|TCP) \d+ \S+ \d+ typ (?:host|srflx|prflx|relay)(?: .*)?$)/),
);

export const LinkSignal = z.discriminatedUnion('type', [
  z.object({ type: z.literal('offer'), lid, ep, sdp }),
  z.object({ type: z.literal('answer'), lid, ep, sdp }),
  z.object({
    type: z.literal('candidate'),
    lid,
    ep,
    candidate: z
      .object({
        candidate: candidateLine,
        sdpMLineIndex: z.optional(z.nullable(z.int().check(z.gte(0), z.lte(1024)))),
        sdpMid: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
      })
      .check(z.refine((c) => c.sdpMid != null || c.sdpMLineIndex != null, 'candidate names no media section')),
  }),
  z.object({ type: z.literal('link-request'), ep, seen: z.optional(lid) }),
  z.object({ type: z.literal('close'), lid }),
  z.object({ type: z.literal('decline'), lid: z.optional(lid) }),
]);
export type LinkSignal = z.infer<typeof LinkSignal>;

/** The part of a link signal that goes to simple-peer. */
export type PeerSignal =
  | { type: 'offer' | 'answer'; sdp: string }
  | { type: 'candidate'; candidate: { candidate: string; sdpMLineIndex?: number | null; sdpMid?: string | null } };

/** The answer of an engine without a link layer (relay-only) to an offer or link-request. */
export function declineFor(signal: Record<string, unknown>): Record<string, unknown> | null {
  if (signal.type === 'offer' && typeof signal.lid === 'string') return { type: 'decline', lid: signal.lid };
  if (signal.type === 'link-request') return { type: 'decline' };
  return null;
}

export function newEpoch(): string {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function makeLid(epoch: string, counter: number): string {
  return `${epoch}.${counter}`;
}

/** True when `a` and `b` come from the same manager instance and `a` was started before `b`. */
export function isOlderLid(a: string, b: string): boolean {
  const [epA, nA] = a.split('.');
  const [epB, nB] = b.split('.');
  return epA === epB && Number(nA) < Number(nB);
}
