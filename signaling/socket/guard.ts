// The one entry point of every client→server event, so that nothing a client sends can crash the
// server or leave it without an answer. Driven by the shared REQUESTS table: the payload is
// checked against its schema (failure → MALFORMED_CODE), a socket that is not logged in gets the
// table's `notLoggedIn` reply for requests that need a login (the handler receives the session),
// a missing ack callback is tolerated, and any exception becomes the table's `failure` reply and a
// log line. Events of one socket run one after another (see domain/serial.ts) unless the handler
// is `concurrent`; an event the table does not name gets MALFORMED_CODE.
//
// Memory per socket matters (10,000s of idle clients): the listeners are created once per server
// and attached to each socket by reference, and all per-socket state lives in socket.data.
import {
  BUSY_CODE, MALFORMED_CODE, REQUESTS, blankReply, isRequestName, type LoginRequiredRequest, type ParsedRequest, type Reply, type RequestName,
} from '../../shared/protocol.js';
import type { ServerContext, SignalingSocket, SocketSession } from '../context.js';
import { SerialQueue } from '../domain/serial.js';

/** The session a handler receives: always there for requests that need a login. */
export type SessionOf<K extends RequestName> = K extends LoginRequiredRequest ? SocketSession : SocketSession | undefined;

export interface Handler<K extends RequestName> {
  run(ctx: ServerContext, socket: SignalingSocket, req: ParsedRequest<K>, session: SessionOf<K>): Promise<Reply<K>> | Reply<K>;
  /** Sees every reply of `run` and of the login check (not the guard's fallbacks): metrics, rewrites. */
  settle?(ctx: ServerContext, reply: Reply<K>): Reply<K>;
  /** Runs outside the socket's serial queue (slow handlers such as P2Server posts). */
  concurrent?: boolean;
}

export type Handlers = { [K in RequestName]: Handler<K> };

type Ack = (reply: unknown) => void;

/** The listeners every socket of one server shares; `this` is the socket (socket.io calls them so). */
export interface SocketListeners {
  onEvent(this: SignalingSocket, event: string, ...args: unknown[]): void;
  onDisconnect(this: SignalingSocket): void;
  onError(this: SignalingSocket, err: Error): void;
}

export function createSocketListeners(
  ctx: ServerContext,
  handlers: Handlers,
  disconnected: (ctx: ServerContext, socket: SignalingSocket) => Promise<void>,
): SocketListeners {
  const { log } = ctx;

  const reply = (event: string, ack: Ack | undefined, r: unknown): void => {
    try {
      ack?.(r);
    } catch (e) {
      log.warn({ err: e, event }, 'ack failed');
    }
  };

  const handle = async <K extends RequestName>(socket: SignalingSocket, event: K, payload: unknown, ack: Ack | undefined): Promise<void> => {
    const spec = REQUESTS[event];
    const parsed = spec.request.safeParse(payload);
    if (!parsed.success) {
      log.debug({ event, socket: socket.id, issue: parsed.error.issues[0] }, 'malformed payload');
      return reply(event, ack, blankReply(event, MALFORMED_CODE));
    }
    const handler = handlers[event] as Handler<K>;
    try {
      // Read when the event's turn comes, not when it arrived: a login queued before it counts.
      const session = socket.data.session;
      const result = !session && spec.notLoggedIn !== undefined
        ? blankReply(event, spec.notLoggedIn)
        : await handler.run(ctx, socket, parsed.data as ParsedRequest<K>, session as SessionOf<K>);
      reply(event, ack, handler.settle ? handler.settle(ctx, result) : result);
    } catch (e) {
      log.error({ err: e, event, socket: socket.id }, 'handler failed');
      reply(event, ack, blankReply(event, spec.failure));
    }
  };

  return {
    onEvent(event, ...args) {
      // socket.io passes the ack as the last argument when the client asked for one; a client
      // that sent no payload at all puts the ack first.
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as Ack) : undefined;
      const payload = ack && args.length === 1 ? undefined : args[0];
      if (!isRequestName(event)) {
        log.debug({ event, socket: this.id }, 'unknown event');
        return reply(event, ack, { code: MALFORMED_CODE });
      }
      if (handlers[event].concurrent) {
        handle(this, event, payload, ack).catch((e: unknown) => log.error({ err: e, event }, 'guard failed'));
      } else if (!queueOf(this).push(() => handle(this, event, payload, ack))) {
        log.warn({ event, socket: this.id }, 'event queue full');
        reply(event, ack, blankReply(event, BUSY_CODE));
      }
    },
    onDisconnect() {
      // Through the socket's queue, so a login still being handled finishes before its disconnect.
      queueOf(this).push(() => disconnected(ctx, this));
    },
    onError(err) {
      log.warn({ err, socket: this.id }, 'socket error');
    },
  };
}

/** Created at the socket's first event: a socket that only connects costs no queue. */
function queueOf(socket: SignalingSocket): SerialQueue {
  return (socket.data.queue ??= new SerialQueue());
}

/** Attaches the shared listeners to a new socket. */
export function attachSocket(socket: SignalingSocket, listeners: SocketListeners): void {
  socket.onAny(listeners.onEvent);
  socket.on('disconnect', listeners.onDisconnect);
  socket.on('error', listeners.onError);
}
