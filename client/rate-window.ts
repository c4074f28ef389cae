// Client-side sliding one-second window for the per-second limits of SPEC §5. The server
// enforces the same limits with slightly looser token buckets, so a client that stays inside
// this window is never refused by the server for rate.
//
// Takes are kept as runs of (timestamp, count): every take in the same clock tick (ms) joins one
// run, so the window holds at most windowMs runs however high the limit is (a benchmark server
// may raise it to millions per second, where one entry per take made every send O(window)).
// The result is exactly that of a list of one timestamp per take.

export class SlidingWindow {
  private stamps: number[] = [];
  private counts: number[] = [];
  /** First live run; runs before it expired (compacted now and then instead of shift()). */
  private head = 0;
  /** Takes in the live runs. */
  private taken = 0;

  constructor(private limit: () => number, private readonly windowMs = 1000, private readonly now: () => number = Date.now) {}

  /** Takes a slot and returns true, or returns false (nothing taken) when the window is full. */
  tryTake(): boolean {
    const now = this.now();
    const cutoff = now - this.windowMs;
    const stamps = this.stamps;
    while (this.head < stamps.length && stamps[this.head] <= cutoff) {
      this.taken -= this.counts[this.head];
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > stamps.length) this.compact();
    if (this.taken >= this.limit()) return false;
    this.taken++;
    const last = stamps.length - 1;
    if (last >= this.head && stamps[last] === now) this.counts[last]++;
    else {
      stamps.push(now);
      this.counts.push(1);
    }
    return true;
  }

  reset(): void {
    this.stamps = [];
    this.counts = [];
    this.head = 0;
    this.taken = 0;
  }

  private compact(): void {
    this.stamps = this.stamps.slice(this.head);
    this.counts = this.counts.slice(this.head);
    this.head = 0;
  }
}
