// Notices local addresses appearing (an interface back up, a network joined) while some link is
// not open. A connection gathers its candidates once, when it is made: an attempt made while the
// host was cut off has no candidate on the interface that came back, and once its checks towards
// the remote failed (unreachable at the time) it never recovers by itself. node-datachannel
// (libjuice) then stays 'checking' without ever reporting 'failed', so only the connect timeout
// (10 s) would end it. The link manager replaces such attempts as soon as an address appears.
//
// Node: os.networkInterfaces() polled while watching. Browsers: the 'online' event.
import { localAddresses } from '../network-monitor.js';

interface EventTargetLike {
  addEventListener?(ev: string, fn: () => void): void;
  removeEventListener?(ev: string, fn: () => void): void;
}

/**
 * Addresses a connection may gather candidates on: not IPv6 link-local ones (fe80::/10), which
 * the WebRTC stacks skip, and which come and go with the carrier a while after the interface.
 */
function usable(address: string): boolean {
  return !/^fe[89ab][0-9a-f]:/i.test(address);
}

/** How often Node looks at its interfaces while a link is not open. */
export const ADDRESS_POLL_MS = 500;

export class AddressWatch {
  private known: Set<string> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private listening = false;
  private readonly online = (): void => this.onAppeared([]);

  /**
   * @param onAppeared called with the addresses that appeared ([] from a browser's 'online',
   *   which names none)
   */
  constructor(
    private readonly onAppeared: (added: string[]) => void,
    private readonly pollMs = ADDRESS_POLL_MS,
    private readonly read: () => string[] | null = localAddresses,
  ) {}

  get watching(): boolean {
    return this.timer !== null || this.listening;
  }

  /** Watches from the addresses there now; no-op while watching. */
  start(): void {
    if (this.watching) return;
    const now = this.read();
    if (now === null) {
      const g = globalThis as EventTargetLike;
      if (typeof g.addEventListener !== 'function') return;
      g.addEventListener('online', this.online);
      this.listening = true;
      return;
    }
    this.known = new Set(now.filter(usable));
    this.timer = setInterval(() => this.poll(), this.pollMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.known = null;
    if (this.listening) (globalThis as EventTargetLike).removeEventListener?.('online', this.online);
    this.listening = false;
  }

  private poll(): void {
    const now = this.read()?.filter(usable);
    if (!now || !this.known) return;
    const known = this.known;
    const added = now.filter((a) => !known.has(a));
    this.known = new Set(now);
    if (added.length > 0) this.onAppeared(added);
  }
}
