// onSysStats (SPEC §3): a snapshot of the engine every sysStatsIntervalMs while logged in.
import type { ConnectionState } from '../shared/codes.js';
import type { SysStats } from './base-types.js';
import type { MessengerStats } from './messaging/messenger-types.js';
import { unref } from './messaging/frames.js';

/** Where the figures come from. */
export interface SysStatsSources {
  state(): ConnectionState;
  /** Rooms joined (or being rejoined). */
  joinedRooms(): number;
  links: { readonly wantedPeers: number; openLinks(): number; roomPaths?(roomId: string): { members: number; direct: number; viaServer: number } };
  messenger: { stats(): MessengerStats; resendsIn?(roomId: string): number };
  /** The ids of the rooms joined, for the per-room figures. */
  roomIds?(): string[];
  /** Round trip of the latest request to the signaling server. */
  rttMs(): number | undefined;
}

export class SysStatsTimer {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly sources: SysStatsSources,
    private readonly intervalMs: () => number,
    private readonly report: (stats: SysStats) => void,
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  /** (Re)starts with the interval in force now. */
  start(): void {
    this.stop();
    this.timer = setInterval(() => this.report(this.snapshot()), this.intervalMs());
    unref(this.timer);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  snapshot(): SysStats {
    const { sources } = this;
    const stats: SysStats = {
      connectionState: sources.state(),
      rooms: sources.joinedRooms(),
      peers: sources.links.wantedPeers,
      p2pLinks: sources.links.openLinks(),
      ...sources.messenger.stats(),
    };
    const { roomPaths } = sources.links;
    if (sources.roomIds && roomPaths) {
      stats.roomStats = sources.roomIds().map((roomId) => {
        const p = roomPaths.call(sources.links, roomId);
        return { roomId, members: p.members, directLinks: p.direct, viaServer: p.viaServer, resends: sources.messenger.resendsIn?.(roomId) ?? 0 };
      });
    }
    const rttMs = sources.rttMs();
    if (rttMs !== undefined) stats.rttMs = rttMs;
    return stats;
  }
}
