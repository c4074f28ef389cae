// One pino logger per server instance, so tests can silence theirs without touching others.
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ name: 'rtsmesh-signaling', level });
}
