// The grace period of SPEC §9: a socket that goes away without logging out keeps its session
// (presence Unreachable) for dropGraceMs; a login with the same sessionId within it resumes, else
// the session ends with reason Dropped. Timers are process-local; whoever fires re-checks the
// store, so a resume handled by another process also cancels the drop.

export type DropHandler = (appId: string, uid: string, sessionId: string, socketId: string) => Promise<void>;

export class DropGrace {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly graceMs: number,
    private readonly onExpire: DropHandler,
  ) {}

  start(appId: string, uid: string, sessionId: string, socketId: string): void {
    // A disconnect handled while the server closes must not keep the process alive.
    if (this.closed) return;
    const key = appId + uid;
    this.cancel(appId, uid);
    const timer = setTimeout(() => {
      if (this.timers.get(key) === timer) this.timers.delete(key);
      void this.onExpire(appId, uid, sessionId, socketId);
    }, this.graceMs);
    this.timers.set(key, timer);
  }

  cancel(appId: string, uid: string): void {
    const key = appId + uid;
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  has(appId: string, uid: string): boolean {
    return this.timers.has(appId + uid);
  }

  get pending(): number {
    return this.timers.size;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
