// A real signaling server inside the Playwright worker process, serving the demo (demo/)
// and the browser bundle (dist/browser/rtsmesh.js) on 127.0.0.1 with a free port. It can be stopped
// and started again on the same port, which is how the restart test takes the server away from
// pages that stay open. Imported from the built package (npm run build), like a user would.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSignalingServer, type SignalingServer, type SignalingServerOptions, type SignalingStats,
} from 'rtsmesh/signaling';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PUBLIC_DIR = resolve(ROOT, 'demo');
export const BUNDLE_PATH = resolve(ROOT, 'dist/browser/rtsmesh.js');

/** The app the dev token endpoint issues tokens for (the first app of the server). */
export const E2E_APP = { appId: 'rtsmeshe2eapp00000000000', appKey: 'rtsmesh-e2e-key' } as const;

/**
 * Short enough that a page gone for good is announced quickly, long enough that a restart of the
 * server (close + listen again) is never mistaken for a drop.
 */
export const E2E_DROP_GRACE_MS = 3_000;

export interface SignalingFixture {
  /** http://127.0.0.1:<port>, the same across restarts. */
  readonly url: string;
  readonly port: number;
  /** The running server (a new object after each restart); throws while stopped. */
  readonly server: SignalingServer;
  /** Counters of the running server (they start from zero after a restart). */
  stats(): SignalingStats;
  readonly running: boolean;
  /** Closes the server: every socket is cut, the port is free. Pages keep running. */
  stop(): Promise<void>;
  /** Starts a fresh server on the same port (state is gone, as after a real restart). */
  restart(): Promise<void>;
  /** Stops the server if it runs; for teardown. */
  close(): Promise<void>;
}

export async function startSignaling(overrides: Partial<SignalingServerOptions> = {}): Promise<SignalingFixture> {
  if (!existsSync(BUNDLE_PATH)) {
    throw new Error(`${BUNDLE_PATH} is missing: run \`npm run build\` before the e2e tests`);
  }
  const options = (port: number): SignalingServerOptions => ({
    port,
    host: '127.0.0.1',
    apps: [E2E_APP],
    dev: true,
    publicDir: PUBLIC_DIR,
    bundlePath: BUNDLE_PATH,
    dropGraceMs: E2E_DROP_GRACE_MS,
    logLevel: 'silent',
    ...overrides,
  });

  let current: SignalingServer | null = await createSignalingServer(options(0));
  const port = current.port;
  const url = current.url;

  return {
    url,
    port,
    get server(): SignalingServer {
      if (!current) throw new Error('the signaling server is stopped');
      return current;
    },
    get running() {
      return current !== null;
    },
    stats() {
      if (!current) throw new Error('the signaling server is stopped');
      return current.stats();
    },
    async stop() {
      const s = current;
      current = null;
      await s?.close();
    },
    async restart() {
      if (current) throw new Error('restart() needs a stopped server; call stop() first');
      current = await createSignalingServer(options(port));
    },
    async close() {
      const s = current;
      current = null;
      await s?.close();
    },
  };
}
