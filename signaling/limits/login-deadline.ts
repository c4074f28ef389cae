// Sockets that never log in (SPEC §12): each must log in within a deadline or is disconnected,
// and one remote address may hold only so many sockets that have not logged in yet. Without
// this, 2,000 idle connections cost ~27 KiB each for as long as the attacker likes.
//
// The address is the TCP peer, or the client a trusted reverse proxy names (options.trustProxy,
// client-address.ts): behind a proxy that is not declared, every client shares its address.
import type { Logger } from 'pino';
import { clientAddress } from './client-address.js';
import type { SignalingMetrics } from '../http/metrics.js';

/** What the gate needs of a socket (the server's context holds the gate, so no import back). */
export interface GatedSocket {
  readonly handshake: { readonly address: string; readonly headers: Readonly<Record<string, string | string[] | undefined>> };
  readonly data: { readonly session?: unknown };
  disconnect(close: boolean): unknown;
}

export interface LoginGateOptions {
  /** ms a socket has to log in; 0 = no deadline. */
  deadlineMs: number;
  /** Sockets not logged in yet per remote address; 0 = no cap. */
  maxPerAddress: number;
  /** Reverse proxies whose X-Forwarded-For names the client (see client-address.ts). */
  trustProxy: ReadonlySet<string>;
}

export class LoginGate {
  /** Sockets not logged in yet, per address, with their deadline timers. */
  private readonly waiting = new Map<string, Map<GatedSocket, ReturnType<typeof setTimeout> | undefined>>();

  constructor(private readonly opts: LoginGateOptions, private readonly metrics: SignalingMetrics, private readonly log: Logger) {}

  private addressOf(socket: GatedSocket): string {
    return clientAddress(socket.handshake.address, socket.handshake.headers['x-forwarded-for'], this.opts.trustProxy);
  }

  /** Sockets connected but not logged in, on this process. */
  get pending(): number {
    let n = 0;
    for (const sockets of this.waiting.values()) n += sockets.size;
    return n;
  }

  /** A new socket: false (and the socket is cut) when its address is over the cap. */
  admit(socket: GatedSocket): boolean {
    const address = this.addressOf(socket);
    let sockets = this.waiting.get(address);
    if (this.opts.maxPerAddress > 0 && (sockets?.size ?? 0) >= this.opts.maxPerAddress) {
      this.metrics.unauthenticatedClosed.inc({ reason: 'address_cap' });
      this.log.warn({ address, cap: this.opts.maxPerAddress }, 'connection refused: too many sockets not logged in from this address');
      socket.disconnect(true);
      return false;
    }
    if (!sockets) this.waiting.set(address, (sockets = new Map()));
    const timer = this.opts.deadlineMs > 0 ? setTimeout(() => this.expire(socket), this.opts.deadlineMs) : undefined;
    timer?.unref();
    sockets.set(socket, timer);
    return true;
  }

  /**
   * The socket logged in, or is gone (called from the shared disconnect listener, so a socket
   * costs no listener of its own): no deadline, and it no longer counts against its address.
   */
  release(socket: GatedSocket): void {
    this.forget(socket);
  }

  close(): void {
    for (const sockets of this.waiting.values()) for (const timer of sockets.values()) clearTimeout(timer);
    this.waiting.clear();
  }

  private expire(socket: GatedSocket): void {
    if (!this.forget(socket) || socket.data.session) return;
    this.metrics.unauthenticatedClosed.inc({ reason: 'deadline' });
    this.log.info({ address: this.addressOf(socket), deadlineMs: this.opts.deadlineMs }, 'disconnected: no login within the deadline');
    socket.disconnect(true);
  }

  private forget(socket: GatedSocket): boolean {
    const address = this.addressOf(socket);
    const sockets = this.waiting.get(address);
    if (!sockets?.has(socket)) return false;
    clearTimeout(sockets.get(socket));
    sockets.delete(socket);
    if (sockets.size === 0) this.waiting.delete(address);
    return true;
  }
}
