// Liveness of one open link, independent of ICE (SPEC §10). ICE notices a dead path late:
// libdatachannel after ~14 s of failed consent checks, @roamhq/wrtc after ~5 s, and meanwhile
// SCTP keeps every message in its retransmit queue. So each side watches its own inbound
// traffic: a link that heard nothing for more than `timeoutMs` is stalled (the messaging layer
// moves its traffic to the relay), and it is alive again at the first byte that arrives.
//
// To give the other side something to hear on an idle link, a side whose outbound has been idle
// for HEARTBEAT_SHARE of the timeout sends a heartbeat: one byte, HEARTBEAT_BYTE, on the reliable
// channel. A wire message is always a msgpack array (first byte 0x90-0x9f, 0xdc, 0xdd) or a
// chunk (0xc1), so a lone 0xc0 (msgpack nil) is never data; peer-link.ts takes it out before the
// reassembler. While traffic flows no heartbeat is sent; the only cost is a timer per link.
//
// heard() notes the time of every inbound message (a Date.now(), tens of nanoseconds), so a
// stall is declared right when the timeout runs out (a one-off timer once it falls within the
// next tick; ticks come every tenth of the timeout). A side that
// only sends (its peer's acks late behind a busy process) is not silent either while its own
// send buffer drains, since only the remote's SCTP acknowledgements drain it: once half the
// timeout passed without a byte heard, that is asked on every tick (outboundDrained).

/**
 * Share of the timeout an outbound stays idle before a heartbeat. With the tick (a tenth), the
 * next heartbeat leaves by half the timeout, so a sender's event loop may stall for the other
 * half before its peer calls the link silent. Heartbeats are what an idle room costs: at 0.25,
 * 50 engines with 400 link ends in one process spent ~15 % of a core on them (the native sends
 * ~100 µs each on a cold node-datachannel, plus libjuice's poll thread waking for every packet).
 */
export const HEARTBEAT_SHARE = 0.4;

/** The heartbeat message: msgpack nil, which no wire message or chunk ever is. */
export const HEARTBEAT_BYTE = 0xc0;
export const HEARTBEAT = Uint8Array.of(HEARTBEAT_BYTE);

export function isHeartbeat(bytes: Uint8Array): boolean {
  return bytes.byteLength === 1 && bytes[0] === HEARTBEAT_BYTE;
}

export interface LivenessHooks {
  /** Send one heartbeat now (the link's outbound has been idle). */
  sendHeartbeat(): void;
  /** Wire messages sent so far (any channel); a change means the outbound is not idle. */
  sentCount(): number;
  /** Whether the link's send buffer went down since the last call (the remote acknowledged data). */
  outboundDrained?(): boolean;
  /** Nothing heard for more than timeoutMs. */
  stalled(): void;
  /** Something heard after stalled(). */
  alive(): void;
}

export class Liveness {
  private readonly tickMs: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** A one-off check at the very moment the timeout runs out (see tick). */
  private exact: ReturnType<typeof setTimeout> | null = null;
  private lastHeardAt = 0;
  private lastSentCount = -1;
  private lastSentAt = 0;
  private lastTickAt = 0;
  private stalledNow = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly hooks: LivenessHooks,
  ) {
    this.tickMs = Math.max(20, Math.floor(timeoutMs / 10));
  }

  get isStalled(): boolean {
    return this.stalledNow;
  }

  start(): void {
    if (this.timer) return;
    const now = Date.now();
    this.lastHeardAt = now;
    this.lastSentAt = now;
    this.lastTickAt = now;
    this.lastSentCount = this.hooks.sentCount();
    this.timer = setInterval(this.tick, this.tickMs);
    // A timer of its own must never keep a Node process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.exact) clearTimeout(this.exact);
    this.timer = null;
    this.exact = null;
  }

  /** Anything arrived from the remote side. */
  heard(): void {
    this.lastHeardAt = Date.now();
    if (this.stalledNow) {
      this.stalledNow = false;
      this.hooks.alive();
    }
  }

  private readonly tick = (): void => {
    const now = Date.now();
    // A tick that comes this late means the event loop was blocked (or a background tab is
    // throttled harder than usual): inbound data may be waiting behind this very timer, so
    // silence cannot be judged on this tick.
    const late = now - this.lastTickAt > (this.timeoutMs * 3) / 4;
    this.lastTickAt = now;
    const sent = this.hooks.sentCount();
    if (sent !== this.lastSentCount) {
      this.lastSentCount = sent;
      this.lastSentAt = now;
    } else if (now - this.lastSentAt >= this.timeoutMs * HEARTBEAT_SHARE) {
      this.lastSentAt = now;
      this.hooks.sendHeartbeat();
      this.lastSentCount = this.hooks.sentCount();
    }
    if (late) {
      if (!this.stalledNow) this.lastHeardAt = Math.max(this.lastHeardAt, now - this.timeoutMs / 2);
      return;
    }
    if (!this.stalledNow && now - this.lastHeardAt > this.timeoutMs / 2 && this.hooks.outboundDrained?.()) this.lastHeardAt = now;
    this.judge(now);
    // The timeout falls before the next tick: look again right after it, not up to a tick late.
    const due = this.lastHeardAt + this.timeoutMs - now;
    if (!this.stalledNow && due < this.tickMs && this.exact === null) {
      this.exact = setTimeout(this.onExact, Math.max(0, due) + 1);
      (this.exact as { unref?: () => void }).unref?.();
    }
  };

  private readonly onExact = (): void => {
    this.exact = null;
    this.judge(Date.now());
  };

  private judge(now: number): void {
    if (!this.stalledNow && now - this.lastHeardAt > this.timeoutMs) {
      this.stalledNow = true;
      this.hooks.stalled();
    }
  }
}
