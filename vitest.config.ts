import { defineConfig } from 'vitest/config';

// Unit and integration tests (test/**). Browser tests live in e2e/ and run under Playwright.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**', 'dist/**'],
    // Real servers, real WebRTC and real processes on a shared 2-core box: generous, not tight.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 30_000,
    // Native WebRTC addons (@roamhq/wrtc) are unreliable in worker threads; child processes are not.
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    reporters: ['default'],
  },
});
