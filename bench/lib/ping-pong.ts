// Sequential round trips: send one message, wait for its echo, repeat. The first `warmup`
// round trips are not recorded.
import { deferred } from './scope.js';

export interface PingPong {
  /** Call from the sender's receive handler when the echo arrives. */
  echoed(): void;
  /** Runs warmup + count round trips; resolves with the `count` samples in ms. */
  run(send: () => void, warmup: number, count: number): Promise<number[]>;
}

export function pingPong(): PingPong {
  let waiting: ReturnType<typeof deferred<void>> | undefined;
  return {
    echoed() {
      const w = waiting;
      waiting = undefined;
      w?.resolve();
    },
    async run(send, warmup, count) {
      const samples: number[] = [];
      for (let i = 0; i < warmup + count; i++) {
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
