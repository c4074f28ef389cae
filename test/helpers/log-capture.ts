// A pino logger whose JSON lines are kept in memory, for tests that assert on what the server logs.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface CapturedLog {
  logger: Logger;
  /** Raw JSON lines, in order. */
  lines: string[];
  /** A pino destination that adds to `lines` (for pino.multistream). */
  sink: { write(chunk: string): void };
  /** Parsed lines whose `msg` contains `text`. */
  find(text: string): Array<Record<string, unknown>>;
}

export function captureLog(level = 'info'): CapturedLog {
  const lines: string[] = [];
  const sink = {
    write(chunk: string): void {
      for (const line of chunk.split('\n')) if (line) lines.push(line);
    },
  };
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      sink.write(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level }, stream);
  return {
    logger,
    lines,
    sink,
    find: (text) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => String(l.msg).includes(text)),
  };
}
