// The signaling server as a frame path (RelayPath of transport/types.ts): relay:frame to one
// user, relay:room to a room's members, and relay:frame events in. Frames queued in the same
// tick for the same destination travel in one emit, so a burst of messages or acks costs one
// socket.io packet instead of hundreds.
//
// The sender of inbound frames is the event's `from`, stamped by the server from the
// authenticated session — never anything inside the frames.
import { UserMessageSendResult } from '../../shared/codes.js';
import { decodeFrames, encodeFrames, parseStream, type Frame } from '../../shared/frame.js';
import { payloadBytes } from '../../shared/limits.js';
import { UNTIL_DISCONNECT, type Connection } from '../connection.js';
import { TypedEmitter } from '../typed-emitter.js';
import type { Logger } from '../base-types.js';
import { requestCode } from './request-code.js';
import type { RelayPath, RelayPathEvents } from './types.js';

/** One emit stays well below the server's socket message limit (4 MiB) and the frame cap. */
const MAX_BATCH_BYTES = 1024 * 1024;
const MAX_BATCH_FRAMES = 1024;
const FRAME_OVERHEAD_BYTES = 48;

interface Batch {
  kind: 'user' | 'room';
  to: string;
  roomId: string;
  except: string[];
  frames: Frame[];
  waiters: Array<(code: number) => void>;
}

export class SocketRelayPath extends TypedEmitter<RelayPathEvents> implements RelayPath {
  private queue = new Map<string, Batch>();
  private flushScheduled = false;

  constructor(private readonly conn: Connection, private readonly logger: Logger) {
    super((event, error) => logger.error(`relay listener for ${event} threw`, error));
    conn.on('relay:frame', (ev) => {
      const decoded = decodeFrames(ev.frame);
      if (!decoded.ok) {
        this.logger.warn(`dropping relayed frames from ${ev.from}: ${decoded.error}`);
        return;
      }
      this.emit('frames', ev.from, decoded.frames);
    });
  }

  isUp(): boolean {
    return this.conn.isUp();
  }

  sendTo(uid: string, frames: Frame[]): Promise<number> {
    // One batch per user and room scope: the server refuses a batch as a whole, so a problem
    // with one room (we just left it) must not fail user messages sharing the emit.
    const scope = frames.length > 0 ? (parseStream(frames[0].st)?.roomId ?? '') : '';
    return this.enqueue(`u\n${uid}\n${scope}`, { kind: 'user', to: uid, roomId: scope, except: [] }, frames);
  }

  sendRoom(roomId: string, except: string[], frames: Frame[]): Promise<number> {
    const sorted = [...except].sort();
    return this.enqueue(`r\n${roomId}\n${sorted.join(',')}`, { kind: 'room', to: '', roomId, except: sorted }, frames);
  }

  private enqueue(key: string, target: Omit<Batch, 'frames' | 'waiters'>, frames: Frame[]): Promise<number> {
    if (!this.conn.isUp()) return Promise.resolve(UserMessageSendResult.NetworkDisconnected);
    return new Promise((resolve) => {
      let batch = this.queue.get(key);
      // Not a spread: adding properties to a spread copy is a slow path in V8 (see messaging/frames.ts).
      if (!batch) this.queue.set(key, (batch = { kind: target.kind, to: target.to, roomId: target.roomId, except: target.except, frames: [], waiters: [] }));
      batch.frames.push(...frames);
      batch.waiters.push(resolve);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batches = [...this.queue.values()];
    this.queue = new Map();
    for (const batch of batches) void this.sendBatch(batch);
  }

  private async sendBatch(batch: Batch): Promise<void> {
    // All chunks are emitted now, in order (request() emits synchronously), so a later batch to
    // the same user cannot overtake them while we wait for the replies.
    // A slow server is not a lost frame: the reply is awaited as long as the socket lives, and
    // only its end (then the frames go again after the re-login) fails the request. A timeout
    // here would turn a busy moment into resends over a healthy path and snowball.
    const replies = [...chunks(batch.frames)].map((chunk) => {
      const frame = encodeFrames(chunk);
      return batch.kind === 'user'
        ? this.conn.request('relay:frame', { to: batch.to, frame }, UNTIL_DISCONNECT)
        : this.conn.request('relay:room', { roomId: batch.roomId, except: batch.except, frame }, UNTIL_DISCONNECT);
    });
    const codes = (await Promise.all(replies)).map(requestCode);
    const code = codes.find((c) => c !== 0) ?? 0;
    for (const resolve of batch.waiters) resolve(code);
  }
}

function* chunks(frames: Frame[]): Generator<Frame[]> {
  let chunk: Frame[] = [];
  let bytes = 0;
  for (const frame of frames) {
    const size = FRAME_OVERHEAD_BYTES + (frame.t === 0 ? payloadBytes(frame.d) : 0);
    if (chunk.length > 0 && (bytes + size > MAX_BATCH_BYTES || chunk.length >= MAX_BATCH_FRAMES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(frame);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
