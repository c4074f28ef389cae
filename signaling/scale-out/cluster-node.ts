// The heartbeat of one signaling process in a Redis cluster. Every heartbeatMs it:
//
// 1. refreshes its liveness and the keys of every session it holds (RedisStore.heartbeat), which
//    also writes them again after Redis lost its data; sessions taken over elsewhere are let go
//    (their socket, if still here, is closed so the client reconnects and logs in afresh);
// 2. repairs what a failed Redis call left behind: a socket gone without its disconnect being
//    recorded starts its drop grace, a socket no longer logged in ends its session, a drop whose
//    timer could not reach Redis is retried;
// 3. reaps dead processes: one survivor (SET NX claim) adopts each session of a process whose
//    liveness expired, as in its drop grace, and announces it Dropped to its rooms once the grace
//    (counted from that process's last heartbeat) is over, unless it resumed elsewhere first.
//
// Failures are logged and retried at the next heartbeat; nothing here can crash the server.
import { UserOfflineReason } from '../../shared/codes.js';
import { userKey, type ServerContext } from '../context.js';
import { dropSession, endSession } from '../domain/sessions.js';
import type { RedisStore } from '../store/redis/redis-store.js';
import type { SessionRecord } from '../store/types.js';

/** A failing heartbeat is logged at most this often. */
const FAILURE_LOG_INTERVAL_MS = 30_000;

export class ClusterNode {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastFailureLog = 0;
  /** Sessions found lost at the previous heartbeat, whose socket is closed at this one. */
  private lettingGo: SessionRecord[] = [];
  /** The last heartbeat failed: the first one that gets through starts the recovery window anew. */
  private failing = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly store: RedisStore,
    private readonly heartbeatMs: number,
    /**
     * Called when Redis turns out to have lost its data, or may have: a heartbeat failed, and
     * again at the first one that gets through after failures (the window starts from there).
     */
    private readonly onDataLoss: () => void = () => undefined,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.heartbeatMs);
    this.tick();
  }

  /** Stops the heartbeat and waits for one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs one heartbeat now unless one is in progress (tests and start-up). */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.beat()
      .catch((err: unknown) => {
        // Redis unreachable or frozen: presence keys may expire meanwhile, so until every process
        // has written its sessions back, "unknown user" may only mean "not rewritten yet".
        this.failing = true;
        this.onDataLoss();
        const now = Date.now();
        if (now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
        this.lastFailureLog = now;
        this.ctx.log.warn({ err: (err as Error).message }, 'cluster heartbeat failed (Redis unreachable?); retrying');
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async beat(): Promise<void> {
    const { lost, reasserted } = await this.store.heartbeat();
    if (reasserted || this.failing) this.onDataLoss();
    this.failing = false;
    if (reasserted) {
      this.ctx.log.warn('Redis lost its data (restart?): sessions and memberships of this process written again');
    }
    // One heartbeat later, so that a kick routed by the adapter (duplicate login elsewhere) gets
    // there first and the client sees why it lost its session.
    for (const session of this.lettingGo) this.letGo(session);
    this.lettingGo = lost;
    if (this.stopped) return;
    await this.repair();
    if (this.stopped) return;
    await this.reap();
  }

  /** A session this process held was taken over or ended elsewhere: its socket, if still here, goes. */
  private letGo(s: SessionRecord): void {
    const socket = this.ctx.io.of('/').sockets.get(s.socketId);
    if (!socket?.connected || socket.data.session?.sessionId !== s.sessionId) return;
    if (this.store.ownedSession(s.appId, s.uid)?.sessionId === s.sessionId) return; // resumed here since
    this.ctx.log.warn({ uid: s.uid, sessionId: s.sessionId }, 'session taken over elsewhere; closing its socket here');
    socket.data.session = undefined;
    // A transport close (not a server disconnect): the client reconnects and logs in again.
    socket.conn.close();
  }

  private async repair(): Promise<void> {
    const { ctx } = this;
    const sockets = ctx.io.of('/').sockets;
    const now = Date.now();
    for (const { session: s } of this.store.ownedSessions()) {
      if (this.stopped) return;
      if (s.connected) {
        const socket = sockets.get(s.socketId);
        if (socket?.data.session?.sessionId === s.sessionId) continue;
        await ctx.locks.run(userKey(s.appId, s.uid), async () => {
          // Checked again under the lock: a login may have been half-way through.
          const current = this.store.ownedSession(s.appId, s.uid);
          if (!current?.connected || current.sessionId !== s.sessionId || current.socketId !== s.socketId) return;
          const live = ctx.io.of('/').sockets.get(s.socketId);
          if (live?.data.session?.sessionId === s.sessionId) return;
          if (!live) {
            if (await ctx.store.markDisconnected(s.appId, s.uid, s.sessionId, s.socketId)) {
              ctx.dropGrace.start(s.appId, s.uid, s.sessionId, s.socketId);
            }
          } else {
            await endSession(ctx, s.appId, s.uid, s.sessionId, UserOfflineReason.Quit);
          }
        }).catch((err: unknown) => ctx.log.debug({ err, uid: s.uid }, 'cluster repair failed; retrying later'));
      } else if (now - s.since >= ctx.options.dropGraceMs && !ctx.dropGrace.has(s.appId, s.uid)) {
        await dropSession(ctx, s.appId, s.uid, s.sessionId, s.socketId);
      }
    }
  }

  private async reap(): Promise<void> {
    const { dead } = await this.store.deadNodes();
    for (const node of dead) {
      if (this.stopped) return;
      const adopted = await this.store.reapNode(node);
      if (!adopted) continue;
      this.ctx.log.warn({ node: node.nodeId, sessions: adopted.length }, 'a signaling process died; its sessions get their drop grace here');
    }
    // Adopted sessions whose grace is already over are dropped at once.
    if (dead.length > 0) await this.repair();
  }
}
