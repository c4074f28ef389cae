// The child side of children.ts: answer {id, cmd} requests over IPC, exit when told to or
// when the parent goes away (so a killed benchmark never leaves a server running).
export type Handler = (msg: Record<string, unknown>) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

export function serveIpc(handlers: Record<string, Handler>, onStop: () => Promise<void> | void = () => undefined): void {
  if (!process.send) throw new Error('must be started with an IPC channel (bench/lib/children.ts)');
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const hard = setTimeout(() => process.exit(0), 2000);
    try {
      await onStop();
    } finally {
      clearTimeout(hard);
      process.exit(0);
    }
  };
  process.on('disconnect', () => void stop());
  // A stray error inside a WebRTC stack or socket must not kill the child mid-run.
  process.on('unhandledRejection', (e) => console.error(`unhandled rejection: ${e instanceof Error ? e.message : String(e)}`));
  process.on('uncaughtException', (e) => console.error(`uncaught exception: ${e.message}`));
  process.on('message', async (m: { id: number; cmd: string } & Record<string, unknown>) => {
    if (m.cmd === 'stop') return void stop();
    const h = handlers[m.cmd];
    try {
      if (!h) throw new Error(`unknown command ${m.cmd}`);
      const r = (await h(m)) ?? {};
      process.send!({ id: m.id, ok: true, ...r });
    } catch (e) {
      process.send!({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  });
}

/**
 * RSS and heap after two full collections (needs --expose-gc). `rssInUse` leaves out the V8 heap
 * space that is reserved but free: V8 shrinks its heap lazily, in steps of megabytes, long after
 * the garbage is gone, which would otherwise show up as memory "freed" by whatever came next.
 */
export function memoryAfterGc(): { rss: number; rssInUse: number; heapUsed: number; external: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, rssInUse: m.rss - (m.heapTotal - m.heapUsed), heapUsed: m.heapUsed, external: m.external };
}
