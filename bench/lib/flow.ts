// Sustained-rate measurement: a sender pumps as fast as its flow control allows; the rate is
// what the receiver counts over a fixed window that starts after a warm-up period.
import { sleep, type Scope } from './scope.js';

export interface RateResult {
  msgsPerSec: number;
  /** 10^6 bytes per second of payload. */
  mbPerSec: number;
  /** CPU time of this process (user+system, all threads) per delivered message, µs. */
  cpuUsPerMsg: number;
}

export interface RateOptions {
  /** Starts sending; keeps going until stop() (or the scope closes). */
  start(): void;
  stop(): void;
  /** Messages delivered so far. */
  received(): number;
  payloadBytes: number;
  warmupMs: number;
  measureMs: number;
}

export async function measureRate(o: RateOptions, scope: Scope): Promise<RateResult> {
  scope.add(() => o.stop());
  o.start();
  await sleep(o.warmupMs);
  const c0 = o.received();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await sleep(o.measureMs);
  const c1 = o.received();
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  o.stop();
  const n = c1 - c0;
  if (n <= 0) throw new Error('nothing delivered in the measuring window');
  const secs = (t1 - t0) / 1000;
  return {
    msgsPerSec: n / secs,
    mbPerSec: (n * o.payloadBytes) / secs / 1e6,
    cpuUsPerMsg: (cpu.user + cpu.system) / n,
  };
}

/**
 * A pump that keeps at most `window` messages unconfirmed: `send()` one, `confirm(k)` when k
 * were confirmed (delivery report, credit message…). Sends in bounded bursts so the receiver's
 * events in the same process get their turn.
 */
export function windowPump(send: () => void, window: number, burst = 256): { start(): void; stop(): void; confirm(k?: number): void } {
  let outstanding = 0;
  let running = false;
  let scheduled = false;
  const pump = (): void => {
    scheduled = false;
    if (!running) return;
    let n = 0;
    while (outstanding < window && n < burst) {
      outstanding++;
      n++;
      send();
    }
    if (outstanding < window) schedule();
  };
  const schedule = (): void => {
    if (scheduled || !running) return;
    scheduled = true;
    setImmediate(pump);
  };
  return {
    start() {
      running = true;
      schedule();
    },
    stop() {
      running = false;
    },
    confirm(k = 1) {
      outstanding -= k;
      schedule();
    },
  };
}
