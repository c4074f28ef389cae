// NativePeer against itself on Chromium's RTCPeerConnection (see native-peer-page.ts).
import { test } from '@playwright/test';
import { expectNativePeerRun, RUN_EXPRESSION, serveNativePeerPage } from './native-peer-page.js';

let served: Awaited<ReturnType<typeof serveNativePeerPage>>;
test.beforeAll(async () => {
  served = await serveNativePeerPage();
});
test.afterAll(() => served?.close());

test('NativePeer pair in Chromium: connect, data both ways, ICE restart from either side, close', async ({ page }) => {
  await page.goto(served.url);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  expectNativePeerRun(await page.evaluate(RUN_EXPRESSION) as Record<string, unknown>);
});
