// onNetworkTypeChanged: what kind of network this device is on. Node: from its network
// interfaces (LAN when a non-internal address exists, Disconnected when none), polled. Browsers:
// navigator.onLine with online/offline events, refined by navigator.connection where present.
import { NetworkType } from '../shared/codes.js';

interface NodeOs {
  networkInterfaces(): Record<string, Array<{ address: string; internal: boolean; family: string | number }> | undefined>;
}

interface BrowserConnection {
  type?: string;
  effectiveType?: string;
  addEventListener?(ev: string, fn: () => void): void;
  removeEventListener?(ev: string, fn: () => void): void;
}

interface BrowserLike {
  navigator?: { onLine?: boolean; connection?: BrowserConnection };
  addEventListener?(ev: string, fn: () => void): void;
  removeEventListener?(ev: string, fn: () => void): void;
}

/** Node's os module when running on Node (without a static import the browser bundle would trip over). */
function nodeOs(): NodeOs | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } } }).process;
  if (!proc?.versions?.node || typeof proc.getBuiltinModule !== 'function') return null;
  try {
    return (proc.getBuiltinModule('node:os') as NodeOs | undefined) ?? null;
  } catch {
    return null;
  }
}

/**
 * Node: the host's non-internal interface addresses now (libuv lists no address of an interface
 * that is down or has lost its carrier). Elsewhere, or when they cannot be read: null.
 */
export function localAddresses(): string[] | null {
  const os = nodeOs();
  if (!os) return null;
  try {
    return Object.values(os.networkInterfaces()).flat().flatMap((i) => (i && !i.internal ? [i.address] : []));
  } catch {
    return null;
  }
}

export function detectNetworkType(): NetworkType {
  const os = nodeOs();
  if (os) {
    try {
      const ifaces = Object.values(os.networkInterfaces()).flat();
      return ifaces.some((i) => i && !i.internal) ? NetworkType.LAN : NetworkType.Disconnected;
    } catch {
      return NetworkType.Unknown;
    }
  }
  const g = globalThis as BrowserLike;
  if (!g.navigator) return NetworkType.Unknown;
  if (g.navigator.onLine === false) return NetworkType.Disconnected;
  const conn = g.navigator.connection;
  switch (conn?.type) {
    case 'wifi': return NetworkType.WiFi;
    case 'ethernet': return NetworkType.LAN;
    case 'none': return NetworkType.Disconnected;
    case 'cellular': return cellular(conn.effectiveType);
    default: break;
  }
  if (conn?.effectiveType && conn.type === undefined) return NetworkType.Unknown;
  return g.navigator.onLine === true ? NetworkType.LAN : NetworkType.Unknown;
}

function cellular(effectiveType: string | undefined): NetworkType {
  switch (effectiveType) {
    case 'slow-2g':
    case '2g': return NetworkType.Mobile2G;
    case '3g': return NetworkType.Mobile3G;
    case '4g': return NetworkType.Mobile4G;
    default: return NetworkType.Mobile4G;
  }
}

/** Reports the network type at start and whenever it changes, until stop(). */
export class NetworkMonitor {
  private current: NetworkType | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly check = (): void => this.poll();

  constructor(private readonly onChange: (type: NetworkType) => void, private readonly pollMs: () => number, private readonly detect = detectNetworkType) {}

  start(): void {
    if (this.timer) return;
    this.poll();
    const g = globalThis as BrowserLike;
    g.addEventListener?.('online', this.check);
    g.addEventListener?.('offline', this.check);
    g.navigator?.connection?.addEventListener?.('change', this.check);
    this.timer = setInterval(this.check, this.pollMs());
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const g = globalThis as BrowserLike;
    g.removeEventListener?.('online', this.check);
    g.removeEventListener?.('offline', this.check);
    g.navigator?.connection?.removeEventListener?.('change', this.check);
  }

  get type(): NetworkType | null {
    return this.current;
  }

  private poll(): void {
    const type = this.detect();
    if (type === this.current) return;
    this.current = type;
    this.onChange(type);
  }
}
