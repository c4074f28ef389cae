// Events reach the app two ways with the same names (SPEC §2): a handler object
// ({ onLoginResult() {} }) and emitter listeners (rts.on('onLoginResult', fn)). A callback that
// throws is logged and contained: the SDK's own work after the callback must still happen.
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
