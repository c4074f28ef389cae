// Registers a client→server event so that nothing a client sends can crash the server or leave it
// without an answer: the payload is checked against its zod schema (failure → the `malformed`
// reply), a missing ack callback is tolerated, and any exception or rejected promise becomes the
// `failure` reply and a log line. Events of one socket run one after another (see serial.ts)
// unless `concurrent` is set.
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { SignalingSocket } from '../context.js';

export interface GuardOptions<R> {
  /** Reply when the payload fails its schema. */
  malformed: R;
  /** Reply when the handler throws. */
  failure: R;
  /** Reply when the socket's queue is full (a client flooding events). */
  busy: R;
  /** Run outside the socket's serial queue (for slow handlers such as P2Server posts). */
  concurrent?: boolean;
}

type LooseSocket = { on(event: string, listener: (...args: unknown[]) => void): unknown };

export function guardEvent<S extends z.ZodType, R>(
  socket: SignalingSocket,
  log: Logger,
  event: string,
  schema: S,
  options: GuardOptions<R>,
  handler: (req: z.output<S>) => Promise<R> | R,
): void {
  (socket as unknown as LooseSocket).on(event, (...args: unknown[]) => {
    // socket.io passes the ack as the last argument when the client asked for one; a client
    // that sent no payload at all puts the ack first.
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (r: R) => void) : undefined;
    const payload = ack && args.length === 1 ? undefined : args[0];
    const reply = (r: R): void => {
      try {
        ack?.(r);
      } catch (e) {
        log.warn({ err: e, event }, 'ack failed');
      }
    };

    const run = async (): Promise<void> => {
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        log.debug({ event, socket: socket.id, issue: parsed.error.issues[0] }, 'malformed payload');
        reply(options.malformed);
        return;
      }
      try {
        reply(await handler(parsed.data));
      } catch (e) {
        log.error({ err: e, event, socket: socket.id }, 'handler failed');
        reply(options.failure);
      }
    };

    if (options.concurrent) {
      run().catch((e: unknown) => log.error({ err: e, event }, "guard failed"));
    } else if (!socket.data.queue.push(run)) {
      log.warn({ event, socket: socket.id }, 'event queue full');
      reply(options.busy);
    }
  });
}
