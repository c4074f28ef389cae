// Servers under test, each in its own child process (server-child.ts), stopped by pid.
import { startChild, type BenchChild } from './children.js';
import { log } from './log.js';
import { importSdkClient } from './sdk-load.js';
import type { Scope } from './scope.js';

export interface ServerHandle {
  url: string;
  port: number;
  child: BenchChild;
  /** RSS / heap of the server process after a full GC (see memoryAfterGc in child-main.ts). */
  memory(): Promise<{ rss: number; rssInUse: number; heapUsed: number }>;
}

/** 'raw' = plain socket.io relay; 'sdk' = rtsmesh's signaling server from dist/ (limits lifted, or at their defaults). */
export async function startServer(mode: 'raw' | 'sdk' | 'sdk-default-limits', scope: Scope): Promise<ServerHandle> {
  const { child, ready } = await startChild(`${mode}-server`, 'server-child.ts', [mode]);
  scope.add(() => child.stop());
  return {
    url: ready.url as string,
    port: ready.port as number,
    child,
    memory: async () => {
      const r = await child.request('mem');
      return { rss: r.rss as number, rssInUse: r.rssInUse as number, heapUsed: r.heapUsed as number };
    },
  };
}

/**
 * Runs the set-up of a scenario's SDK side. When the SDK (or its build) is missing or broken, the
 * scenario still measures its baselines: the SDK cells then read "n/a (problem)".
 */
export async function trySdkSide<T>(setUp: () => Promise<T>): Promise<{ value?: T; problem?: string }> {
  try {
    return { value: await setUp() };
  } catch (e) {
    const problem = (e as Error).message;
    log(`SDK side unavailable: ${problem}`);
    return { problem };
  }
}

/** The usual SDK side: the client module loads and an rtsmesh signaling server runs. */
export function startSdkServer(scope: Scope): Promise<{ value?: ServerHandle; problem?: string }> {
  return trySdkSide(async () => {
    await importSdkClient();
    return startServer('sdk', scope);
  });
}
