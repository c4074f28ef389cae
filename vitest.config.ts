import { defineConfig } from 'vitest/config';

// Tests at the sizes the issues name (hundreds of members over several processes) load both
// cores on their own. They are named *.alone.test.ts and run after the rest, one file at a time
// (RTSMESH_TEST_ALONE=1, as `npm test` does), so that a neighbouring file cannot turn them into a
// measure of the shared machine instead of the code.
const alone = process.env.RTSMESH_TEST_ALONE === '1';
const ALONE = 'test/**/*.alone.test.ts';

// Unit and integration tests (test/**). Browser tests live in e2e/ and run under Playwright.
export default defineConfig({
  test: {
    include: alone ? [ALONE] : ['test/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**', 'dist/**', ...(alone ? [] : [ALONE])],
    // Real servers, real WebRTC and real processes on a shared 2-core box: generous, not tight.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 30_000,
    // Native WebRTC addons (@roamhq/wrtc) are unreliable in worker threads; child processes are not.
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: !alone,
    reporters: ['default'],
  },
});
