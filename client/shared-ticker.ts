// One interval timer per period for the whole process (or page), shared by every periodic check
// that runs at that period. A room member holds up to 32 links and a Node process may host tens
// of engines: with a timer each, 400 links ticking every 200 ms woke the event loop 2,000 times
// a second, and spread their heartbeats so that the network threads woke for nearly every one.
// Shared, the loop wakes 5 times a second and the heartbeats that fall due together leave
// together. A tick's work is what it was; only the wake-ups go.
//
// Callbacks run in the order they joined. One that leaves during a tick (a link closing) is not
// called later in that tick; one that joins during a tick is called from the next one.

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
