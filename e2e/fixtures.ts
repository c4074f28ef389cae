// Playwright fixtures of the rtsmesh e2e suite:
//   signaling — a fresh signaling server per test (see signaling-fixture.ts), closed afterwards;
//   openDemo  — opens the demo for one user in a browser context of its own (own storage, the
//               camera/microphone permission that gives real host ICE candidates), closed afterwards;
//   saveScreenshot — a full-page screenshot to e2e/artifacts/screenshots/<name>.png, attached to the test.
// Every page's console errors and uncaught exceptions are attached to the test; an uncaught
// exception in a page fails the test, since the demo must never throw.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type BrowserContext } from '@playwright/test';
import type { SignalingServerOptions } from 'rtsmesh/signaling';
import { DemoPage, type OpenOptions } from './demo-page.js';
import { contextOptions } from './launch-options.js';
import { startSignaling, type SignalingFixture } from './signaling-fixture.js';

/** Screenshots of the demo, kept after the run (e2e/artifacts is git-ignored). */
export const SCREENSHOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'artifacts/screenshots');

export interface E2EFixtures {
  /** Overrides of the signaling server options (e.g. `test.use({ signalingOptions: { dropGraceMs } })`). */
  signalingOptions: Partial<SignalingServerOptions>;
  signaling: SignalingFixture;
  /** Opens the demo at `${signaling.url}/?uid=…&room=…` in a new context for `uid`. */
  openDemo(uid: string, opts?: OpenOptions): Promise<DemoPage>;
  /** Saves a full-page screenshot of `demo` as SCREENSHOT_DIR/<name>.png and attaches it. */
  saveScreenshot(demo: DemoPage, name: string): Promise<void>;
}

export const test = base.extend<E2EFixtures>({
  signalingOptions: [{}, { option: true }],

  signaling: async ({ signalingOptions }, use) => {
    const signaling = await startSignaling(signalingOptions);
    await use(signaling);
    await signaling.close();
  },

  openDemo: async ({ browser, signaling }, use, testInfo) => {
    const contexts: BrowserContext[] = [];
    const logs: string[] = [];
    const pageErrors: string[] = [];
    await use(async (uid, opts) => {
      const context = await browser.newContext({ ...contextOptions, viewport: { width: 1360, height: 860 } });
      contexts.push(context);
      context.on('page', (page) => {
        page.on('console', (msg) => {
          if (msg.type() === 'error' || msg.type() === 'warning') logs.push(`[${uid}] ${msg.type()}: ${msg.text()}`);
        });
        page.on('pageerror', (err) => pageErrors.push(`[${uid}] ${err.stack ?? err.message}`));
      });
      return DemoPage.open(context, signaling.url, uid, opts);
    });
    if (logs.length > 0) await testInfo.attach('browser-console.txt', { body: logs.join('\n'), contentType: 'text/plain' });
    if (pageErrors.length > 0) await testInfo.attach('page-errors.txt', { body: pageErrors.join('\n\n'), contentType: 'text/plain' });
    await Promise.all(contexts.map((c) => c.close()));
    expect(pageErrors, 'uncaught exceptions in the demo pages').toEqual([]);
  },

  saveScreenshot: async ({}, use, testInfo) => {
    await use(async (demo, name) => {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const path = resolve(SCREENSHOT_DIR, `${name}.png`);
      await demo.screenshot(path);
      await testInfo.attach(name, { path, contentType: 'image/png' });
    });
  },
});

export { expect };
