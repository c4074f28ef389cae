// The SDK as a browser ES module at a stable path: a plain HTML page with no build step does
// `import { createRTS } from '/rtsmesh.js'` and logs in. The page's HTML comes from the test, on
// the server's origin; the module itself comes from the signaling server.
import { expect, test } from './fixtures.js';

const PLAIN_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>plain page</title><link rel="icon" href="data:,"></head>
<body>
<script type="module">
  import { createRTS, ConnectionState } from '/rtsmesh.js';
  window.loginWithBundle = async (uid) => {
    const { appId, token } = await (await fetch('/dev/token?uid=' + uid)).json();
    const states = [];
    const rts = createRTS(appId, { onConnectionStateChanged: (s) => states.push(s) }, { server: location.origin });
    const code = await new Promise((resolve) => {
      rts.on('onLoginResult', (_uid, c) => resolve(c));
      rts.login(token, uid);
    });
    const version = rts.getSdkVersion();
    rts.destroyRTS();
    return { code, states, version, connected: ConnectionState.Connected, hasNativeWebRTC: typeof RTCPeerConnection === 'function' };
  };
  window.bundleLoaded = typeof createRTS === 'function';
</script>
</body></html>`;

test('a plain page imports createRTS from /rtsmesh.js without a build step and logs in', async ({ signaling, browser }) => {
  const res = await fetch(`${signaling.url}/rtsmesh.js`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('javascript');
  const source = await res.text();
  // A browser bundle: no Node-only module reached it (the stubs only throw if ever loaded).
  expect(source).not.toMatch(/\brequire\(["'](?:@roamhq\/wrtc|node-datachannel)["']\)/);
  expect((await fetch(`${signaling.url}/rtsmesh.js.map`)).status).toBe(200);

  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The page's own HTML is written into a document of the server's origin (loaded from
    // /healthz, which runs no script). A page handed over by page.route would count as public
    // content, and Chrome's local-network-access checks would then block its socket to 127.0.0.1.
    await page.goto(`${signaling.url}/healthz`);
    await page.setContent(PLAIN_PAGE);
    // bundleLoaded is set by the page's module script only if the import of /rtsmesh.js succeeded.
    await expect.poll(() => page.evaluate(() => (window as unknown as { bundleLoaded?: boolean }).bundleLoaded)).toBe(true);
    const result = await page.evaluate(() => (window as unknown as {
      loginWithBundle(uid: string): Promise<{ code: number; states: number[]; version: string; connected: number; hasNativeWebRTC: boolean }>;
    }).loginWithBundle('plainpage'));
    expect(result.code).toBe(0);
    expect(result.states).toContain(result.connected);
    expect(result.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(result.hasNativeWebRTC).toBe(true);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
