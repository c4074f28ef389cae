// A tiny event emitter, generic over an event map. No dependency on Node's 'events' so the same
// code runs in browsers. A listener that throws is caught and logged: an application bug in one
// callback must never break the SDK's own bookkeeping that runs after the emit.

export type ListenerErrorHandler = (event: string, error: unknown) => void;

export class TypedEmitter<E extends { [K in keyof E]: (...args: never[]) => void }> {
  private readonly listeners = new Map<keyof E, Array<E[keyof E]>>();

  constructor(private onListenerError: ListenerErrorHandler = defaultListenerError) {}

  on<K extends keyof E>(event: K, fn: E[K]): this {
    const list = this.listeners.get(event);
    if (list) list.push(fn);
    else this.listeners.set(event, [fn]);
    return this;
  }

  once<K extends keyof E>(event: K, fn: E[K]): this {
    const wrapper = ((...args: Parameters<E[K]>) => {
      this.off(event, wrapper);
      (fn as (...a: Parameters<E[K]>) => void)(...args);
    }) as unknown as E[K];
    return this.on(event, wrapper);
  }

  off<K extends keyof E>(event: K, fn: E[K]): this {
    const list = this.listeners.get(event);
    if (!list) return this;
    const at = list.indexOf(fn);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.listeners.delete(event);
    return this;
  }

  removeAllListeners(event?: keyof E): this {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
    return this;
  }

  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  /** Calls every listener; returns whether there was one. Listener errors are contained. */
  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): boolean {
    const list = this.listeners.get(event);
    if (!list || list.length === 0) return false;
    // Copy: a listener may remove itself (once) or others while we iterate.
    for (const fn of [...list]) {
      try {
        (fn as (...a: Parameters<E[K]>) => void)(...args);
      } catch (error) {
        this.onListenerError(String(event), error);
      }
    }
    return true;
  }

  protected setListenerErrorHandler(handler: ListenerErrorHandler): void {
    this.onListenerError = handler;
  }
}

function defaultListenerError(event: string, error: unknown): void {
  console.error(`[rtsmesh] listener for ${event} threw`, error);
}
