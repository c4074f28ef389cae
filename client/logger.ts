// The SDK's logging: the app's logger when given, console warn/error otherwise. A logger that
// throws must not take the SDK down with it.
import type { Logger } from './base-types.js';

export const consoleLogger: Logger = {
  warn: (message, ...details) => console.warn(`[rtsmesh] ${message}`, ...details),
  error: (message, ...details) => console.error(`[rtsmesh] ${message}`, ...details),
};

/** Wraps `target()` (read on every call, so setRuntimeParameters can swap it) with error containment. */
export function safeLogger(target: () => Logger): Required<Logger> {
  const call = (level: keyof Logger, message: string, details: unknown[]): void => {
    try {
      target()[level]?.(message, ...details);
    } catch {
      // A broken logger is the app's problem; never ours to crash on.
    }
  };
  return {
    debug: (m, ...d) => call('debug', m, d),
    info: (m, ...d) => call('info', m, d),
    warn: (m, ...d) => call('warn', m, d),
    error: (m, ...d) => call('error', m, d),
  };
}
