// Client-side sliding one-second window for the per-second limits of SPEC §5. The server
// enforces the same limits with slightly looser token buckets, so a client that stays inside
// this window is never refused by the server for rate.

export class SlidingWindow {
  private readonly stamps: number[] = [];

  constructor(private limit: () => number, private readonly windowMs = 1000, private readonly now: () => number = Date.now) {}

  /** Takes a slot and returns true, or returns false (nothing taken) when the window is full. */
  tryTake(): boolean {
    const now = this.now();
    while (this.stamps.length > 0 && this.stamps[0] <= now - this.windowMs) this.stamps.shift();
    if (this.stamps.length >= this.limit()) return false;
    this.stamps.push(now);
    return true;
  }

  reset(): void {
    this.stamps.length = 0;
  }
}
