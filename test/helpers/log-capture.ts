// A pino logger whose JSON lines are kept in memory, for tests that assert on what the server logs.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface CapturedLog {
  logger: Logger;
  /** Raw JSON lines, in order. */
  lines: string[];
  /** Parsed lines whose `msg` contains `text`. */
  find(text: string): Array<Record<string, unknown>>;
}

export function captureLog(level = 'info'): CapturedLog {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(line);
      done();
    },
  });
  const logger = pino({ level }, stream);
  return {
    logger,
    lines,
    find: (text) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => String(l.msg).includes(text)),
  };
}
