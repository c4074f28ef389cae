import { defineConfig } from '@playwright/test';
import { BROWSER_PERMISSIONS, launchOptions } from './e2e/launch-options.js';

// Browser end-to-end tests. Each test starts the servers it needs itself on 127.0.0.1 port 0,
// so there is no webServer here. Chromium and Firefox ESR come from Debian (scripts/ensure-system-deps.mjs).
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'e2e/artifacts/test-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  retries: 0,
  // Two cores: one browser per worker; more would make WebRTC timing flaky under load.
  workers: 2,
  fullyParallel: false,
  forbidOnly: true,
  reporter: 'list',
  use: {
    browserName: 'chromium',
    launchOptions,
    permissions: BROWSER_PERMISSIONS,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'chromium', testIgnore: /firefox.*\.spec\.ts$/ },
    // Firefox ESR driven by puppeteer-core over WebDriver BiDi inside these specs (e2e/firefox-fixtures.ts);
    // `use` still names Chromium for the tests that put a Chromium page beside the Firefox one.
    { name: 'firefox', testMatch: /firefox.*\.spec\.ts$/ },
  ],
});
