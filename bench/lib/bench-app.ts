// The one app every SDK benchmark logs in to, and the limits its server runs with.
import { createToken } from '../../shared/token.js';

export const APP_ID = 'rtsmeshBenchApp000000001';
export const APP_KEY = 'rtsmesh-bench-app-key';

/**
 * SPEC §5 rate limits (100 P2P sends/s, 65 broadcasts/s…) protect a production server from a
 * flooding client; a benchmark that measures how fast the SDK *can* go must lift them, or every
 * figure would read "100 msgs/s". The server sends these to clients at login.
 */
export const BENCH_LIMITS = {
  p2pPerSecond: 1_000_000_000,
  roomBroadcastPerSecond: 1_000_000_000,
  serverMessagePerSecond: 1_000_000_000,
  roomTotalPerSecond: 1_000_000_000,
};

export function tokenFor(uid: string): string {
  return createToken({ appId: APP_ID, appKey: APP_KEY, userId: uid });
}
