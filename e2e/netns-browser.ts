// Chromium inside a network namespace (root): Playwright starts the browser through a wrapper
// that enters the namespace first (`ip netns exec` keeps the pipes Playwright talks over, and
// execs, so the pid Playwright ends is Chromium's). Pages are served from the namespaces'
// private addresses, which the host-resolver rules must let through. The page runs the SDK from
// the signaling server's /rtsmesh.js and streams reliable user messages to one peer, recording
// the peer's path with timestamps (Date.now(): the same clock as the test's).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, test, type Browser, type Page } from '@playwright/test';
import type { Topology } from '../test/helpers/netns.js';
import type { SpawnedProcess } from '../test/helpers/processes.js';
import { BROWSER_PERMISSIONS, chromiumLaunchOptions } from './launch-options.js';

const CHROMIUM_BINARY = '/usr/lib/chromium/chromium';

/** What one namespaced test starts: all of it is ended after each test (useNetnsRun). */
export interface NetnsRun {
  topo: Topology | null;
  chromium: NamespacedBrowser | null;
  dir: string | null;
  children: SpawnedProcess[];
}

/** The spec file's NetnsRun, emptied after each test: browser, processes, namespaces, files. */
export function useNetnsRun(): NetnsRun {
  const run: NetnsRun = { topo: null, chromium: null, dir: null, children: [] };
  test.afterEach(async () => {
    await run.chromium?.close();
    run.chromium = null;
    for (const c of run.children.splice(0)) await c.stop(2000);
    await run.topo?.destroy();
    run.topo = null;
    if (run.dir) rmSync(run.dir, { recursive: true, force: true });
    run.dir = null;
  });
  return run;
}

export interface NamespacedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchInNamespace(ns: string, allowedHosts: string[]): Promise<NamespacedBrowser> {
  const dir = mkdtempSync(join(tmpdir(), 'rtsmesh-chromium-'));
  const wrapper = join(dir, 'chromium-in-netns');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM_BINARY} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const browser = await chromium.launch({ ...chromiumLaunchOptions({ allowedHosts }), executablePath: wrapper });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Page-side: an engine for `uid` in room `room`, streaming to `peer` every 20 ms once started. */
const STREAM_JS = String.raw`
async ({ server, appId, uid, token, peer, room: roomId, linkTimeoutMs }) => {
  const sdk = await import(server + '/rtsmesh.js');
  const s = { paths: [], results: new Map(), sent: 0, timer: null, received: [] };
  const params = { server };
  if (linkTimeoutMs) params.linkTimeoutMs = linkTimeoutMs;
  const rts = sdk.createRTS(appId, {
    onPeerLinkStateChanged(who, state) {
      if (who !== peer) return;
      const at = Date.now();
      rts.getPeerLinkStats(peer).then((st) => s.paths.push({ state, at, linkId: st && st.linkId, iceRestarts: st && st.iceRestarts, candidateType: st && st.candidateType }));
    },
  }, params);
  const room = rts.createRoom(roomId);
  room.setRTSRoomDelegate({
    onUserMessageSendResult(id, code) { s.results.set(id, code); },
    onUserMessageReceived(from, text) { if (from === peer) s.received.push(text); },
  });
  rts.login(token, uid);
  await new Promise((resolve) => rts.on('onLoginResult', () => resolve()));
  room.joinRoom();
  window.netTest = {
    paths: () => s.paths,
    start() { s.timer = setInterval(() => { room.sendUserMessage(peer, 'm' + s.sent++); }, 20); },
    stop() { clearInterval(s.timer); },
    results() {
      const tally = {};
      for (const c of s.results.values()) tally[c] = (tally[c] || 0) + 1;
      return { sent: s.sent, done: s.results.size, codes: tally };
    },
    received: () => s.received,
  };
}`;

export interface StreamOptions {
  server: string;
  appId: string;
  uid: string;
  token: string;
  peer: string;
  room: string;
  linkTimeoutMs?: number;
}

export type PagePath = { state: string; at: number; linkId: string | null; iceRestarts: number; candidateType: string | null };

/** A page in `browser` (camera/microphone permission unless `mdns`), served from the signaling server, running STREAM_JS. */
export async function streamingPage(browser: Browser, opts: StreamOptions, mode: { mdns?: boolean } = {}): Promise<Page> {
  // Explicitly none for mDNS: Playwright Test applies the config's `use.permissions` to new contexts.
  const context = await browser.newContext({ permissions: mode.mdns ? [] : BROWSER_PERMISSIONS });
  const page = await context.newPage();
  await page.goto(`${opts.server}/healthz`);
  await page.evaluate(`(${STREAM_JS})(${JSON.stringify(opts)})`);
  return page;
}
