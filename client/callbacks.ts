// Events reach the app two ways with the same names (SPEC §2): a handler object
// ({ onLoginResult() {} }) and emitter listeners (rts.on('onLoginResult', fn)). A callback that
// throws is logged and contained: the SDK's own work after the callback must still happen.
// CallbackSource gives the engine and its rooms the same on/off/once.
import { TypedEmitter } from './typed-emitter.js';
import type { Logger } from './base-types.js';

type Callbacks<E> = { [K in keyof E]: (...args: never[]) => void };

export class CallbackEmitter<E extends Callbacks<E>> extends TypedEmitter<E> {
  handler: Partial<E> | null = null;

  constructor(private readonly logger: Logger) {
    super((event, error) => logger.error(`${event} listener threw`, error));
  }

  /** Calls the handler object's method, then every listener. */
  fire<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const handler = this.handler;
    const fn = handler?.[event];
    if (typeof fn === 'function') {
      try {
        (fn as (...a: Parameters<E[K]>) => void).apply(handler, args);
      } catch (error) {
        this.logger.error(`${String(event)} handler threw`, error);
      }
    }
    this.emit(event, ...args);
  }
}

/** What the app calls to listen (engine and rooms alike): on, off, once over a CallbackEmitter. */
export abstract class CallbackSource<E extends Callbacks<E>> {
  protected readonly events: CallbackEmitter<E>;

  constructor(logger: Logger) {
    this.events = new CallbackEmitter<E>(logger);
  }

  on<K extends keyof E>(event: K, fn: E[K]): this {
    this.events.on(event, fn);
    return this;
  }

  off<K extends keyof E>(event: K, fn: E[K]): this {
    this.events.off(event, fn);
    return this;
  }

  once<K extends keyof E>(event: K, fn: E[K]): this {
    this.events.once(event, fn);
    return this;
  }
}
