// One interval timer per period for the whole process (or page), shared by every periodic check
// that runs at that period: the resend sweeps of all engines. Fifty engines of one process that
// stream wake the event loop ten times a second for their sweeps, not five hundred. A tick's work
// is what it was; only the timers go.
//
// Link liveness does not use it (liveness.ts): ticking every link of a process at one instant
// measured worse room latency than a timer per link (32-member rooms, p50 1.6–2.2× raw against
// 1.4–2.1×, eight runs each), though it took an idle 400-link worker from ~25–30 % of a core to
// ~20 %.
//
// Callbacks run in the order they joined. One that leaves during a tick is not called later in
// that tick; one that joins during a tick is called from the next one.

type Tick = () => void;

interface Group {
  ticks: Set<Tick>;
  timer: ReturnType<typeof setInterval>;
}

const groups = new Map<number, Group>();

/**
 * Calls `tick` every `periodMs` until the returned function is called. The timer never keeps a
 * Node process alive (unref). A tick that throws is reported on the console and does not keep
 * the others of its period from running.
 */
export function everyTick(periodMs: number, tick: Tick): () => void {
  let group = groups.get(periodMs);
  if (!group) {
    const ticks = new Set<Tick>();
    const timer = setInterval(() => runAll(ticks), periodMs);
    (timer as { unref?: () => void }).unref?.();
    group = { ticks, timer };
    groups.set(periodMs, group);
  }
  // A function may join twice (two links sharing a callback would be a bug; a wrapper makes
  // each membership its own).
  const own: Tick = () => tick();
  group.ticks.add(own);
  const g = group;
  return () => {
    if (!g.ticks.delete(own) || g.ticks.size > 0) return;
    clearInterval(g.timer);
    if (groups.get(periodMs) === g) groups.delete(periodMs);
  };
}

function runAll(ticks: Set<Tick>): void {
  // A copy: a Set iterator would visit those that join during the run (five copies a second).
  for (const tick of [...ticks]) {
    if (!ticks.has(tick)) continue;
    try {
      tick();
    } catch (e) {
      console.error('rtsmesh: a periodic check threw', e);
    }
  }
}
