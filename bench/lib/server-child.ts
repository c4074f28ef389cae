// A server under test in its own process, so its memory and CPU are its own:
//   node --import tsx bench/lib/server-child.ts raw   → raw socket.io relay (raw-relay-server.ts)
//   node --import tsx bench/lib/server-child.ts sdk   → rtsmesh signaling server (dist/)
// Commands: ready → {url, port}; mem → RSS/heap after GC; cpu → process.cpuUsage(); stop.
import { memoryAfterGc, serveIpc } from './child-main.js';
import { APP_ID, APP_KEY, BENCH_LIMITS } from './bench-app.js';
import { startRawRelayServer } from './raw-relay-server.js';
import { importSdkServer } from './sdk-load.js';

const mode = process.argv[2];
let server: { url: string; port: number; close(): Promise<void> } | undefined;
let startError: string | undefined;

try {
  if (mode === 'raw') {
    server = await startRawRelayServer();
  } else if (mode === 'sdk') {
    const { createSignalingServer } = await importSdkServer();
    const s = await createSignalingServer({
      port: 0,
      host: '127.0.0.1',
      apps: [{ appId: APP_ID, appKey: APP_KEY }],
      logLevel: 'silent',
      limits: BENCH_LIMITS,
    });
    server = { url: s.url, port: s.port, close: () => s.close() };
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
  },
  async () => {
    await server?.close();
  },
);
