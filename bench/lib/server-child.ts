// A server under test in its own process, so its memory and CPU are its own:
//   node --import tsx bench/lib/server-child.ts raw   → raw socket.io relay (raw-relay-server.ts)
//   node --import tsx bench/lib/server-child.ts sdk   → rtsmesh signaling server (dist/)
//   node --import tsx bench/lib/server-child.ts sdk-default-limits → the same at SPEC §5's default limits
// Commands: ready → {url, port}; mem → RSS/heap after GC; cpu → process.cpuUsage(); stats → the
// SDK server's counters (relayed frames, resends, acks…); stop.
import { memoryAfterGc, serveIpc } from './child-main.js';
import { APP_ID, APP_KEY, BENCH_LIMITS } from './bench-app.js';
import { startRawRelayServer } from './raw-relay-server.js';
import { importSdkServer } from './sdk-load.js';

const mode = process.argv[2];
let server: { url: string; port: number; close(): Promise<void>; stats?(): Record<string, number> } | undefined;
let startError: string | undefined;

try {
  if (mode === 'raw') {
    server = await startRawRelayServer();
  } else if (mode === 'sdk' || mode === 'sdk-default-limits') {
    const { createSignalingServer } = await importSdkServer();
    const s = await createSignalingServer({
      port: 0,
      host: '127.0.0.1',
      apps: [{ appId: APP_ID, appKey: APP_KEY }],
      logLevel: 'silent',
      ...(mode === 'sdk' ? { limits: BENCH_LIMITS } : {}),
    });
    server = { url: s.url, port: s.port, close: () => s.close(), stats: () => ({ ...s.stats() }) as Record<string, number> };
  } else {
    startError = `unknown server mode '${mode}'`;
  }
} catch (e) {
  startError = e instanceof Error ? e.message : String(e);
}

serveIpc(
  {
    ready: () => {
      if (!server) throw new Error(startError ?? 'server did not start');
      return { url: server.url, port: server.port };
    },
    mem: () => memoryAfterGc(),
    cpu: () => ({ ...process.cpuUsage() }),
    stats: () => server?.stats?.() ?? {},
  },
  async () => {
    await server?.close();
  },
);
