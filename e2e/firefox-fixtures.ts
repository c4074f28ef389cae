// Firefox in the e2e suite. Playwright cannot drive Debian's Firefox (it needs its own patched
// build, which cannot be downloaded here), so Firefox ESR is launched by puppeteer-core over
// WebDriver BiDi, inside Playwright tests (see /work/shared/notes/firefox-e2e.md). Pages of both
// browsers get the SDK from the signaling server's /rtsmesh.js and are driven through SdkPage.
//   firefox     — one Firefox per worker, with background-tab timer clamping off;
//   openFirefox — a tab of it in a user context (own storage) of its own, for one user;
//   openChromium — the same in Playwright's Chromium, for mixed-browser tests.
// Uncaught exceptions in any of these pages fail the test.
import puppeteer, { type Browser as FirefoxBrowser, type Page as FirefoxPage } from 'puppeteer-core';
import { test as base, expect } from './fixtures.js';
import { contextOptions } from './launch-options.js';
import { installExpression, SdkPage } from './sdk-page.js';

/** Debian's firefox-esr package (scripts/ensure-system-deps.mjs installs it). */
export const FIREFOX_PATH = '/usr/bin/firefox-esr';

/** ICE on loopback with real host addresses, no permission prompt (getUserMedia is never used). */
const WEBRTC_PREFS = {
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.navigator.permission.disabled': true,
};

/** Background tabs get the timers of a foreground tab (Firefox clamps them to 1 s by default). */
const UNCLAMPED_TIMER_PREFS = {
  'dom.min_background_timeout_value': 0,
  'dom.min_background_timeout_value_without_budget_throttling': 0,
  'dom.timeout.enable_budget_timer_throttling': false,
};

/**
 * Starts headless Firefox. `clampBackgroundTimers: true` keeps Firefox's defaults, as a real
 * user's background tab has them. Close it yourself.
 */
export function launchFirefox(opts: { clampBackgroundTimers?: boolean } = {}): Promise<FirefoxBrowser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: { ...WEBRTC_PREFS, ...(opts.clampBackgroundTimers ? {} : UNCLAMPED_TIMER_PREFS) },
  });
}

/** A page of the signaling server's origin with the SDK from /rtsmesh.js and the harness installed. */
async function sdkPage(uid: string, page: { goto(url: string): Promise<unknown>; evaluate(expr: string): Promise<unknown> }, url: string): Promise<SdkPage> {
  // /healthz runs no script; the document only gives the page the server's origin.
  await page.goto(`${url}/healthz`);
  await page.evaluate(installExpression('/rtsmesh.js'));
  return new SdkPage(uid, (expr) => page.evaluate(expr));
}

/** Opens a Firefox tab for `uid` in a user context of its own; page errors go to `errors`. */
export async function openFirefoxTab(browser: FirefoxBrowser, url: string, uid: string, errors: string[]): Promise<{ sdk: SdkPage; page: FirefoxPage }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.on('pageerror', (err) => errors.push(`[${uid}] ${err instanceof Error ? err.stack ?? err.message : String(err)}`));
  return { sdk: await sdkPage(uid, page, url), page };
}

export interface FirefoxFixtures {
  openFirefox(uid: string): Promise<SdkPage>;
  openChromium(uid: string): Promise<SdkPage>;
}

export const test = base.extend<FirefoxFixtures, { firefox: FirefoxBrowser }>({
  firefox: [async ({}, use) => {
    const browser = await launchFirefox();
    await use(browser);
    await browser.close();
  }, { scope: 'worker', timeout: 60_000 }],

  openFirefox: async ({ firefox, signaling }, use) => {
    const errors: string[] = [];
    const opened: SdkPage[] = [];
    const contexts = new Set<{ close(): Promise<void> }>();
    await use(async (uid) => {
      const { sdk, page } = await openFirefoxTab(firefox, signaling.url, uid, errors);
      opened.push(sdk);
      const context = page.browserContext();
      contexts.add(context);
      return sdk;
    });
    await Promise.all(opened.map((p) => p.destroy()));
    await Promise.all([...contexts].map((c) => c.close()));
    expect(errors, 'uncaught exceptions in Firefox pages').toEqual([]);
  },

  openChromium: async ({ browser, signaling }, use) => {
    const errors: string[] = [];
    const context = await browser.newContext(contextOptions);
    await use(async (uid) => {
      const page = await context.newPage();
      page.on('pageerror', (err) => errors.push(`[${uid}] ${err.stack ?? err.message}`));
      return sdkPage(uid, page, signaling.url);
    });
    await context.close();
    expect(errors, 'uncaught exceptions in Chromium pages').toEqual([]);
  },
});

export { expect };
