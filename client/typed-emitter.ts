// A tiny event emitter, generic over an event map. No dependency on Node's 'events' so the same
// code runs in browsers. A listener that throws is caught and logged: an application bug in one
// callback must never break the SDK's own bookkeeping that runs after the emit.

export type ListenerErrorHandler = (event: string, error: unknown) => void;

export class TypedEmitter<E extends { [K in keyof E]: (...args: never[]) => void }> {
  /**
   * Copy-on-write: on/off replace an event's array instead of changing it, so emit iterates the
   * array it found without copying it. Every message crosses several emitters on its way in;
   * a copy per emit was an allocation per hop each, for lists that change only at set-up.
   */
  private readonly listeners = new Map<keyof E, ReadonlyArray<E[keyof E]>>();

  constructor(private onListenerError: ListenerErrorHandler = defaultListenerError) {}

  on<K extends keyof E>(event: K, fn: E[K]): this {
    const list = this.listeners.get(event);
    this.listeners.set(event, list ? [...list, fn] : [fn]);
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
    if (at < 0) return this;
    if (list.length === 1) this.listeners.delete(event);
    else this.listeners.set(event, [...list.slice(0, at), ...list.slice(at + 1)]);
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
    // No copy needed: a listener that removes itself (once) or others replaces the array.
    for (let i = 0; i < list.length; i++) {
      try {
        (list[i] as (...a: Parameters<E[K]>) => void)(...args);
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
