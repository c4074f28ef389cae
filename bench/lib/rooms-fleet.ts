// A room's members spread over several child processes (rooms-worker.ts), driven from the test:
// who is where, joining, streaming broadcasts, and the checks every rooms test makes on what
// arrived. Every child is ended by its pid in stop().
import { fileURLToPath } from 'node:url';
import { startChild, type BenchChild } from './children.js';
import type { RTSParameters } from '../../client/index.js';

export interface MemberReport {
  uid: string;
  openLinks: number;
  sent: number;
  codes: Record<string, number>;
  pending: number;
  received: Record<string, { n: number; dups: number; outOfOrder: number }>;
  paths: Record<string, number>;
  resultMs: number[];
  latencies: number[];
  /** The latencies split by path: over a p2p link, through the server (full reports only). */
  direct: number[];
  viaServer: number[];
  states: number[];
  /** Results 200 within 2 s of the send. */
  fast: number;
  /** onSysStats' per-room figures, now. */
  roomStats: Array<{ roomId: string; members: number; directLinks: number; viaServer: number; resends: number }>;
}

export type MemberCounts = Pick<MemberReport, 'uid' | 'openLinks' | 'sent' | 'pending'>;

const WORKER = fileURLToPath(new URL('./rooms-worker.ts', import.meta.url));

export class RoomsFleet {
  private constructor(private readonly workers: BenchChild[], readonly uidsOf: string[][]) {}

  static async start(processes: number): Promise<RoomsFleet> {
    const started = await Promise.allSettled(Array.from({ length: processes }, (_, i) => startChild(`rooms-worker-${i}`, WORKER)));
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.child] : []));
    if (workers.length < processes) {
      await Promise.all(workers.map((w) => w.stop()));
      throw (started.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason;
    }
    return new RoomsFleet(workers, workers.map(() => []));
  }

  get uids(): string[] {
    return this.uidsOf.flat();
  }

  /** Logs `uids` in, dealt round-robin over the processes. */
  async setup(server: { url: string; appId: string; appKey: string }, uids: string[], params: Partial<RTSParameters> = {}, noAck: string[] = []): Promise<void> {
    const share = this.workers.map((_, w) => uids.filter((_, i) => i % this.workers.length === w));
    share.forEach((s, w) => this.uidsOf[w].push(...s));
    await Promise.all(this.workers.map((w, i) =>
      share[i].length ? w.request('setup', { url: server.url, appId: server.appId, appKey: server.appKey, uids: share[i], params, noAck }, 120_000) : undefined));
  }

  private each(uids: string[] | undefined, fn: (w: BenchChild, mine: string[] | undefined) => Promise<unknown>): Promise<unknown[]> {
    return Promise.all(this.workers.map((w, i) => {
      const mine = uids ? this.uidsOf[i].filter((u) => uids.includes(u)) : undefined;
      return mine && mine.length === 0 ? undefined : fn(w, mine);
    }));
  }

  async join(room: string, uids?: string[]): Promise<void> {
    await this.each(uids, (w, mine) => w.request('join', { room, uids: mine }, 120_000));
  }

  async leave(room: string, uids: string[]): Promise<void> {
    await this.each(uids, (w, mine) => w.request('leave', { room, uids: mine }, 30_000));
  }

  /**
   * Every sender (all, or `uids`) broadcasts `count` messages, one every `intervalMs`, the
   * senders' phases spread evenly over the interval so the room's total rate is steady.
   */
  async stream(room: string, count: number, intervalMs: number, uids?: string[]): Promise<void> {
    const senders = uids ?? this.uids;
    const step = intervalMs / senders.length;
    const startAt = performance.timeOrigin + performance.now() + 200;
    let phase0 = 0;
    await Promise.all(this.workers.map((w, i) => {
      const mine = this.uidsOf[i].filter((u) => senders.includes(u));
      const p = phase0;
      phase0 += mine.length * step;
      return mine.length ? w.request('stream', { room, count, intervalMs, uids: mine, startAt, phase0: p, phaseStep: step }) : undefined;
    }));
  }

  /** Counts only, unless `full` (every latency sample: large, so not while polling a busy room). */
  async report(full = false): Promise<MemberReport[]> {
    const replies = await Promise.all(this.workers.map((w) => w.request('report', { full }, 60_000)));
    return replies.flatMap((r) => r.members as MemberReport[]);
  }

  /**
   * Polls every member's links, sends and pending results until `done` holds (or the time is up).
   * Cheap: a full report of a 200-member room is ~10,000 per-sender records per process, and
   * building and sending it every second while the room streams stalled the very members being
   * measured (the raw room is not polled).
   */
  async waitCounts(done: (counts: MemberCounts[]) => boolean, timeoutMs: number): Promise<MemberCounts[]> {
    return pollUntil(async () => {
      const replies = await Promise.all(this.workers.map((w) => w.request('counts', {}, 60_000)));
      return replies.flatMap((r) => r.members as MemberCounts[]);
    }, done, timeoutMs);
  }

  /** Polls the reports until `done` holds for all (or the time is up: returns the last reports). */
  async waitReports(done: (reports: MemberReport[]) => boolean, timeoutMs: number): Promise<MemberReport[]> {
    return pollUntil(() => this.report(), done, timeoutMs);
  }

  // ---- the raw socket.io baseline (bench/lib/raw-relay-server.ts), same members and schedule ----

  /** CPU time of all the member processes so far, in ms (every thread of each). */
  async cpuMs(): Promise<number> {
    const replies = await Promise.all(this.workers.map((w) => w.request('cpu')));
    return replies.reduce((sum, r) => sum + (r.us as number), 0) / 1000;
  }

  async rawSetup(url: string): Promise<void> {
    await Promise.all(this.workers.map((w, i) => (this.uidsOf[i].length ? w.request('rawSetup', { url, uids: this.uidsOf[i] }, 120_000) : undefined)));
  }

  async rawJoin(room: string): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request('rawJoin', { room }, 60_000)));
  }

  async rawStream(room: string, count: number, intervalMs: number): Promise<void> {
    const step = intervalMs / this.uids.length;
    const startAt = performance.timeOrigin + performance.now() + 200;
    let phase0 = 0;
    await Promise.all(this.workers.map((w, i) => {
      const p = phase0;
      phase0 += this.uidsOf[i].length * step;
      return w.request('rawStream', { room, count, intervalMs, startAt, phase0: p, phaseStep: step });
    }));
  }

  async rawReport(): Promise<Array<{ uid: string; sent: number; n: number; latencies: number[] }>> {
    const replies = await Promise.all(this.workers.map((w) => w.request('rawReport', {}, 60_000)));
    return replies.flatMap((r) => r.members as Array<{ uid: string; sent: number; n: number; latencies: number[] }>);
  }

  /** Ends every engine and raw client (the processes stay); `forget`: the members too. */
  async teardown(forget = true): Promise<void> {
    await Promise.all(this.workers.map((w) => Promise.all([w.request('teardown', {}, 60_000), w.request('rawTeardown', {}, 60_000)])));
    if (forget) this.uidsOf.forEach((u) => (u.length = 0));
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}

/** Every receiver got exactly `expected(sender, receiver)` messages from each sender, once each, in order. */
export function deliveryProblems(reports: MemberReport[], senders: string[], expected: (sender: string, receiver: string) => number): string[] {
  const problems: string[] = [];
  for (const r of reports) {
    for (const s of senders) {
      if (s === r.uid) continue;
      const want = expected(s, r.uid);
      const got = r.received[s] ?? { n: 0, dups: 0, outOfOrder: 0 };
      if (got.n !== want || got.dups > 0 || got.outOfOrder > 0) problems.push(`${r.uid} from ${s}: ${got.n}/${want}, ${got.dups} dup, ${got.outOfOrder} out of order`);
    }
  }
  return problems;
}

/** Fetches once a second until `done` holds or `timeoutMs` passed; the last value either way. */
async function pollUntil<T>(fetch: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fetch();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
