// NativePeer against itself on Firefox's RTCPeerConnection (see native-peer-page.ts).
import { test } from '@playwright/test';
import { launchFirefox } from './firefox-fixtures.js';
import { expectNativePeerRun, RUN_EXPRESSION, serveNativePeerPage } from './native-peer-page.js';

test('NativePeer pair in Firefox: connect, data both ways, ICE restart from either side, close', async () => {
  const served = await serveNativePeerPage();
  const firefox = await launchFirefox();
  try {
    const page = await firefox.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.goto(served.url);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    expectNativePeerRun(await page.evaluate(RUN_EXPRESSION) as Record<string, unknown>);
    test.expect(errors).toEqual([]);
  } finally {
    await firefox.close();
    await served.close();
  }
});
