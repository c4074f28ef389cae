// How every e2e test launches Chromium. Shared by playwright.config.ts and by tests that start extra
// browsers or contexts themselves (see /work/shared/notes/browser-e2e.md for why each piece is here).
import { chromium, type Browser, type BrowserContextOptions, type LaunchOptions } from '@playwright/test';

/** Debian's chromium package; Playwright's own browser downloads are never used. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Camera + microphone permission makes Chrome expose real host ICE candidates instead of mDNS
 * `.local` names, which (a) keeps mDNS multicast off the network and (b) is required for the
 * host-resolver rules below, which make `.local` unresolvable.
 */
export const BROWSER_PERMISSIONS: string[] = ['camera', 'microphone'];

/**
 * Chrome flag that stops every DNS lookup except the listed hosts. IP literals are caught by the rule
 * too, so a test serving pages from another address (e.g. inside a network namespace) must list it.
 */
export function hostResolverRules(allowedHosts: readonly string[] = []): string {
  const hosts = ['127.0.0.1', 'localhost', ...allowedHosts];
  return `--host-resolver-rules=MAP * ~NOTFOUND , ${hosts.map((h) => `EXCLUDE ${h}`).join(' , ')}`;
}

/**
 * Launch options for Chromium. `allowedHosts`: extra hosts/IPs pages may be loaded from.
 * Never pass --disable-features here: it would replace Playwright's own list (see the notes).
 */
export function chromiumLaunchOptions(opts: { allowedHosts?: readonly string[] } = {}): LaunchOptions {
  return {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      // Lets ICE use 127.0.0.1 / ::1, so peers connect even where loopback is the only interface.
      '--allow-loopback-in-peer-connection',
      hostResolverRules(opts.allowedHosts),
    ],
  };
}

/** Default launch options (pages on 127.0.0.1 / localhost only). */
export const launchOptions: LaunchOptions = chromiumLaunchOptions();

/** Options for `browser.newContext()`: use.permissions only applies to the built-in fixtures. */
export const contextOptions: BrowserContextOptions = { permissions: BROWSER_PERMISSIONS };

/** Starts a separate Chromium process (e.g. to put two peers in two browsers). Close it yourself. */
export function launchChromium(opts: { allowedHosts?: readonly string[] } = {}): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions(opts));
}
