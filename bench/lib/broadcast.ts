// Sequential room broadcasts: send one, wait until every receiver has it, repeat. The sample is
// the time until the *last* receiver got it (what "the room has the message" means).
import { deferred } from './scope.js';

export interface BroadcastProbe {
  /** Call from each receiver's handler. */
  received(): void;
  run(send: () => void, receivers: number, warmup: number, count: number): Promise<number[]>;
}

export function broadcastProbe(): BroadcastProbe {
  let left = 0;
  let waiting: ReturnType<typeof deferred<void>> | undefined;
  return {
    received() {
      left--;
      if (left === 0) {
        const w = waiting;
        waiting = undefined;
        w?.resolve();
      }
    },
    async run(send, receivers, warmup, count) {
      const samples: number[] = [];
      for (let i = 0; i < warmup + count; i++) {
        left = receivers;
        waiting = deferred<void>();
        const t = performance.now();
        send();
        await waiting.promise;
        if (i >= warmup) samples.push(performance.now() - t);
      }
      return samples;
    },
  };
}
