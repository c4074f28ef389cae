// Defaults of SPEC §5. The server may be configured with other values; it sends the ones in
// force to the client at login, so the client never enforces a stricter or looser limit than
// the server will.

export interface Limits {
  /** One message, text (UTF-8) or binary, any kind. */
  maxMessageBytes: number;
  /** P2P sends per client per second. */
  p2pPerSecond: number;
  /** Room broadcasts per client per second. */
  roomBroadcastPerSecond: number;
  /** P2Server sends per client per second. */
  serverMessagePerSecond: number;
  /** All messages in one room per second. */
  roomTotalPerSecond: number;
  /** userExtraInfo bytes. */
  maxExtraInfoBytes: number;
  /** App-server response body returned to the client. */
  maxServerResponseBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxMessageBytes: 65_536,
  p2pPerSecond: 100,
  roomBroadcastPerSecond: 65,
  serverMessagePerSecond: 20,
  roomTotalPerSecond: 100,
  maxExtraInfoBytes: 200,
  maxServerResponseBytes: 65_536,
});

/** uid and roomId. */
export const ID_PATTERN = /^[A-Za-z0-9_@.-]{1,128}$/;
/** setBusinessId. */
export const BUSINESS_ID_PATTERN = /^[A-Za-z0-9._@-]{1,128}$/;

/** A dropped connection is announced as Dropped after this long unless it comes back. */
export const DEFAULT_DROP_GRACE_MS = 10_000;
/** onSysStats period. */
export const SYS_STATS_INTERVAL_MS = 2_000;

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

/** Size a message counts against maxMessageBytes: UTF-8 bytes for text, length for binary. */
export function payloadBytes(data: string | Uint8Array): number {
  return typeof data === 'string' ? utf8Length(data) : data.byteLength;
}

/**
 * The length of `text` in UTF-8, as TextEncoder would encode it (a lone surrogate becomes
 * U+FFFD, 3 bytes), without encoding it: every message is measured several times on its way
 * (limits, counters, chunking), and an encode() each time was a copy and an allocation per look.
 */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
      continue;
    }
    // Three bytes for one unit; a surrogate pair is four bytes for two units (skip the second).
    n += 2;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1); // NaN past the end
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}
