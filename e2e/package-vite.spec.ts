// A browser app that installs the packed tarball and is built by Vite, and by esbuild, with no
// configuration at all (`import { createRTS, MessageConfig } from 'rtsmesh/client'`): the build
// picks the package's self-contained browser bundle, the page runs without errors (no `global is
// not defined`), logs in to the packaged signaling server and exchanges messages with a Node
// client over P2P.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, installInScratch, packFreshCopy, ROOT, run, type PackedPackage } from '../test/helpers/packed-package.js';
import { startProcess, stopAllProcesses } from '../test/helpers/processes.js';
import { expect, test } from './fixtures.js';
import { contextOptions } from './launch-options.js';
import { nodeUserInRoom, type NodeUser } from './node-client.js';
import { HARNESS_JS, SdkPage } from './sdk-page.js';

const VITE = join(ROOT, 'node_modules/vite/bin/vite.js');
const ESBUILD = join(ROOT, 'node_modules/esbuild/bin/esbuild');
const ROOM = 'bundledroom';

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>vite app</title><link rel="icon" href="data:,"></head>
<body><script type="module" src="/main.js"></script></body></html>
`;

// The app's only code: the SDK from the package, under the name apps use, handed to the harness.
const MAIN_JS = `import * as sdk from 'rtsmesh/client';
import { createRTS, MessageConfig } from 'rtsmesh/client';
import './harness.js';

window.installRtsHarness(sdk);
window.appReady = typeof createRTS === 'function' && MessageConfig.ReliableOrdered === 0;
`;

let packed: PackedPackage | undefined;
let app = '';
let node: NodeUser | undefined;

/** Each bundler's output folder (served as the public folder) and the JavaScript it wrote. */
const BUILDS = {
  Vite: { dir: 'dist', js: '' },
  esbuild: { dir: 'dist-esbuild', js: '' },
};

function readJs(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  packed = await packFreshCopy();
  app = await installInScratch(packed, 'vite-app');
  writeFileSync(join(app, 'index.html'), INDEX_HTML);
  writeFileSync(join(app, 'main.js'), MAIN_JS);
  writeFileSync(join(app, 'harness.js'), HARNESS_JS);
  // Vite and esbuild of this project, run by path in the app folder: the app has no config file.
  await run(process.execPath, [VITE, 'build', '--logLevel', 'warn'], app);
  const esbuildOut = join(app, BUILDS.esbuild.dir);
  mkdirSync(esbuildOut);
  await run(ESBUILD, ['main.js', '--bundle', '--format=esm', `--outfile=${join(esbuildOut, 'main.js')}`, '--log-level=warning'], app);
  copyFileSync(join(app, 'index.html'), join(esbuildOut, 'index.html'));
  for (const build of Object.values(BUILDS)) build.js = readJs(join(app, build.dir));
});

test.afterEach(async () => {
  node?.destroy();
  node = undefined;
  await stopAllProcesses();
});

test.afterAll(() => cleanup(packed));

for (const [bundler, build] of Object.entries(BUILDS)) {
  test(`a zero-config ${bundler} app using rtsmesh/client from the tarball runs in Chromium and talks P2P to a Node client`, async ({ browser }) => {
    // The browser build of the package went in: no native addon, nothing left for a require() at run time.
    expect(build.js.length).toBeGreaterThan(1000);
    expect(build.js.includes('node_datachannel.node'), 'a native addon in the app').toBe(false);
    expect(/\brequire\(["']/.test(build.js), 'a require() left in the app').toBe(false);

    // The packaged server serves the built app (the output folder as its public folder) and dev tokens.
    const { match } = await startProcess(join(app, 'node_modules/.bin/rtsmesh-signaling'),
      ['--port', '0', '--host', '127.0.0.1', '--dev', '--public-dir', join(app, build.dir), '--log-level', 'warn'],
      { cwd: app, name: 'packaged rtsmesh-signaling', readyLine: /rtsmesh signaling listening on (http:\/\/\S+)/ });
    const url = match[1];

    const context = await browser.newContext(contextOptions);
    const pageErrors: string[] = [];
    try {
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.stack ?? e.message));
      await page.goto(`${url}/`);
      // The first page error, if any, is what shows up in a failure (e.g. `global is not defined`).
      await expect.poll(async () => pageErrors[0] ?? (await page.evaluate(() => (window as unknown as { appReady?: boolean }).appReady))).toBe(true);
      const web = new SdkPage('webapp', (expr) => page.evaluate(expr));
      await web.loginAndJoin(url, ROOM);
      node = await nodeUserInRoom(url, 'nodebot', ROOM);
      const n = node;

      await web.linkState('nodebot', 'p2p');
      await n.log.wait('onPeerLinkStateChanged', (uid, state) => uid === 'webapp' && state === 'p2p');

      const id = await web.sendText('nodebot', 'hello from a Vite app');
      expect(await web.sendResult(id)).toBe(0);
      await n.log.wait('onMessageReceived', (from, text) => from === 'webapp' && text === 'hello from a Vite app');

      const back = n.rts.sendMessage('webapp', 'hello back from Node');
      await n.log.wait('onMessageSendResult', (msgId, code) => msgId === back && code === 0);
      await web.wait('onMessageReceived', (from, text) => from === 'nodebot' && text === 'hello back from Node');
      await web.destroy();
    } finally {
      await context.close();
    }
    expect(pageErrors, `uncaught exceptions in the ${bundler} app`).toEqual([]);
  });
}

