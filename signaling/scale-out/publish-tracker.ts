// Tells a relay handler whether its emit really left this process. socket.io's emit returns before
// the adapter has published anything, and the cluster adapter swallows a failed publish (it then
// delivers to local sockets only). Wrapping the adapter's doPublish, which the emit calls
// synchronously, gives the promise of each publish made inside `deliver(emit)`.

type Publisher = { doPublish(message: unknown): unknown };

export class PublishTracker {
  private capture: Array<Promise<unknown>> | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Hooks the adapter of a namespace (`io.of('/').adapter`); false if it is not a cluster adapter. */
  attach(adapter: object): boolean {
    const target = adapter as Publisher;
    if (typeof target.doPublish !== 'function') return false;
    const original = target.doPublish.bind(target);
    target.doPublish = (message: unknown): unknown => {
      const published = original(message);
      if (this.capture && published instanceof Promise) this.capture.push(published);
      return published;
    };
    return true;
  }

  /**
   * Runs `emit` and resolves true once every publish it made is stored in Redis; false if one
   * failed or took longer than timeoutMs (it may still arrive later: receivers drop duplicates).
   */
  async deliver(emit: () => void): Promise<boolean> {
    const captured: Array<Promise<unknown>> = [];
    this.capture = captured;
    try {
      emit();
    } finally {
      this.capture = undefined;
    }
    if (captured.length === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.timeoutMs);
    });
    try {
      return await Promise.race([Promise.all(captured).then(() => true, () => false), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
