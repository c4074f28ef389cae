// The browser bundle (dist/browser/rtsmesh.js, built by npm run build) stays small enough to load
// uncached in every new page and works on pages with a strict Content-Security-Policy (no
// 'unsafe-eval'). `npm run build:bundle -- --analyze` shows what takes the room.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const BUNDLE = join(import.meta.dirname, '../dist/browser/rtsmesh.js');
const MAX_MINIFIED_BYTES = 200 * 1024;
const MAX_GZIP_BYTES = 60 * 1024;

describe('the browser bundle', () => {
  const bundle = readFileSync(BUNDLE);
  const text = bundle.toString('utf8');

  it(`is at most ${MAX_MINIFIED_BYTES / 1024} KiB minified and ${MAX_GZIP_BYTES / 1024} KiB gzipped`, () => {
    const gzipped = gzipSync(bundle).length;
    expect(bundle.length, `minified: ${(bundle.length / 1024).toFixed(1)} KiB`).toBeLessThanOrEqual(MAX_MINIFIED_BYTES);
    expect(gzipped, `gzip: ${(gzipped / 1024).toFixed(1)} KiB`).toBeLessThanOrEqual(MAX_GZIP_BYTES);
  });

  // Each form a library uses to compile a string: zod's JIT and its "is eval allowed?" probe
  // (`let t=Function; new t("")`), msgpackr's record readers, engine.io's global-object fallback.
  it.each([
    ['no new Function(', /new Function\(/],
    ['no eval(', /(?:^|[^\w$.])eval\(/],
    ['no direct Function( call', /(?:^|[^\w$.])Function\(/],
    ['no Function constructor taken as a value', /[=(,:]\s*Function\s*[;,)}]/],
  ])('compiles no code at run time: %s', (_what, pattern) => {
    const m = pattern.exec(text);
    expect(m && text.slice(Math.max(0, m.index - 60), m.index + 60), 'found in the bundle').toBeNull();
  });
});
