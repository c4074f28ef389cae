// ICE servers handed to each client at login (SPEC §10): the operator's STUN URLs, and TURN URLs
// with short-lived credentials in the TURN REST scheme that coturn implements with
// `use-auth-secret`: username "<expiry unix seconds>:<uid>", credential
// base64(HMAC-SHA1(secret, username)). The secret never leaves the server; coturn recomputes the
// HMAC and refuses a username whose expiry has passed.
import { createHmac } from 'node:crypto';

/** Credentials live this long unless the operator says otherwise (coturn's own examples use a day). */
export const DEFAULT_TURN_TTL_SECONDS = 14_400;

export interface TurnOptions {
  /** `turn:` / `turns:` URLs, e.g. `turn:turn.example.com:3478?transport=udp`. */
  urls: string[];
  /** coturn's `static-auth-secret`. Required, non-empty. */
  secret: string;
  /** Lifetime of each minted credential. @default 14400 */
  ttlSeconds?: number;
}

export interface IceOptions {
  /** `stun:` URLs given to every client as they are. @default [] */
  stun?: string[];
  /** TURN with REST credentials. @default none */
  turn?: TurnOptions;
}

/** The W3C RTCIceServer shape, as the client hands it to its WebRTC stack. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface MintedIceServers {
  iceServers: IceServer[];
  /** Unix ms at which the TURN credential stops working; absent without TURN. */
  expiresAtMs?: number;
}

export function turnCredential(secret: string, uid: string, expiresAtSeconds: number): { username: string; credential: string } {
  const username = `${expiresAtSeconds}:${uid}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** The ICE servers one user gets now. */
export function mintIceServers(ice: IceOptions, uid: string, nowMs = Date.now()): MintedIceServers {
  const iceServers: IceServer[] = [];
  if (ice.stun?.length) iceServers.push({ urls: [...ice.stun] });
  if (!ice.turn) return { iceServers };
  const ttl = ice.turn.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS;
  const expires = Math.floor(nowMs / 1000) + ttl;
  iceServers.push({ urls: [...ice.turn.urls], ...turnCredential(ice.turn.secret, uid, expires) });
  return { iceServers, expiresAtMs: expires * 1000 };
}

const STUN_URL = /^stuns?:[^\s?#]+(\?[^\s#]*)?$/;
const TURN_URL = /^turns?:[^\s?#]+(\?transport=(udp|tcp))?$/;

/** Why this configuration cannot start a server, or null when it can. */
export function iceOptionsError(ice: IceOptions | undefined): string | null {
  if (!ice) return null;
  for (const url of ice.stun ?? []) {
    if (typeof url !== 'string' || !STUN_URL.test(url)) return `ice.stun: not a stun: URL: ${JSON.stringify(url)}`;
  }
  const turn = ice.turn;
  if (!turn) return null;
  if (typeof turn.secret !== 'string' || turn.secret.length === 0) return 'ice.turn.secret: required (coturn static-auth-secret)';
  if (!Array.isArray(turn.urls) || turn.urls.length === 0) return 'ice.turn.urls: at least one turn: URL';
  for (const url of turn.urls) {
    if (typeof url !== 'string' || !TURN_URL.test(url)) return `ice.turn.urls: not a turn: URL: ${JSON.stringify(url)}`;
  }
  const ttl = turn.ttlSeconds;
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0)) return `ice.turn.ttlSeconds: a positive whole number of seconds, not ${ttl}`;
  return null;
}
