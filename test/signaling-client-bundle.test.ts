// The server serves the client SDK's browser bundle by default (SPEC §12): compressed by
// Accept-Encoding, with an ETag and a 304 when it did not change, `no-cache` at /rtsmesh.js and a
// long immutable cache at the versioned URL; `serveClient: false` turns it off.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { get, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../signaling/package-root.js';
import { SERVER_VERSION } from '../signaling/version.js';
import { withServer } from './helpers/server.js';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A GET without fetch's automatic decompression, so the bytes on the wire can be checked. */
function rawGet(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    get({ hostname, port, path, headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

function decoded(r: RawResponse): Buffer {
  if (r.headers['content-encoding'] === 'br') return brotliDecompressSync(r.body);
  if (r.headers['content-encoding'] === 'gzip') return gunzipSync(r.body);
  return r.body;
}

let dir: string;
let bundle: string;
const CONTENT = `export const answer = 42;\n${'// padding that compresses well\n'.repeat(200)}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rtsmesh-bundle-'));
  bundle = join(dir, 'rtsmesh.js');
  await writeFile(bundle, CONTENT);
  await writeFile(`${bundle}.map`, '{"version":3}');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('client bundle', () => {
  it('is served by default: the built dist/browser/rtsmesh.js, byte for byte', async () => {
    const built = readFileSync(join(packageRoot(), 'dist', 'browser', 'rtsmesh.js'));
    await withServer({}, async (t) => {
      const r = await rawGet(t.url, '/rtsmesh.js', { 'accept-encoding': 'gzip' });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toContain('application/javascript');
      expect(r.headers['content-encoding']).toBe('gzip');
      expect(decoded(r).equals(built)).toBe(true);
    });
  });

  it('is compressed as the client accepts: br first, then gzip, else identity', async () => {
    await withServer({ bundlePath: bundle }, async (t) => {
      const cases: Array<[string | undefined, string | undefined]> = [
        ['gzip, deflate, br', 'br'],
        ['gzip', 'gzip'],
        ['br;q=0, gzip;q=0.5', 'gzip'],
        ['identity', undefined],
        [undefined, undefined],
      ];
      for (const [accept, encoding] of cases) {
        const r = await rawGet(t.url, '/rtsmesh.js', accept === undefined ? {} : { 'accept-encoding': accept });
        expect(r.status, accept).toBe(200);
        expect(r.headers['content-encoding'], accept).toBe(encoding);
        expect(r.headers.vary).toBe('accept-encoding');
        expect(Number(r.headers['content-length']), accept).toBe(r.body.length);
        expect(decoded(r).toString(), accept).toBe(CONTENT);
        if (encoding) expect(r.body.length, accept).toBeLessThan(CONTENT.length / 4);
      }
    });
  });

  it('/rtsmesh.js is revalidated on each load: no-cache, an ETag, 304 when unchanged, the new file once it changed', async () => {
    const file = join(dir, 'changing.js');
    await writeFile(file, 'export const v = 1;');
    await withServer({ bundlePath: file }, async (t) => {
      const first = await rawGet(t.url, '/rtsmesh.js', { 'accept-encoding': 'br' });
      expect(first.headers['cache-control']).toBe('no-cache');
      const etag = first.headers.etag!;
      expect(etag).toMatch(/^"[^"]+"$/);

      const again = await rawGet(t.url, '/rtsmesh.js', { 'accept-encoding': 'br', 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
      // The same content in another encoding is not modified either.
      expect((await rawGet(t.url, '/rtsmesh.js', { 'accept-encoding': 'gzip', 'if-none-match': etag })).status).toBe(304);
      expect((await rawGet(t.url, '/rtsmesh.js', { 'if-none-match': '"something-else"' })).status).toBe(200);

      await writeFile(file, 'export const v = 2; // rebuilt');
      const later = new Date(Date.now() + 5_000);
      await utimes(file, later, later);
      const changed = await rawGet(t.url, '/rtsmesh.js', { 'accept-encoding': 'br', 'if-none-match': etag });
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).not.toBe(etag);
      expect(decoded(changed).toString()).toBe('export const v = 2; // rebuilt');
    });
  });

  it('the versioned URL is cached for a year as immutable; another version is not found', async () => {
    await withServer({ bundlePath: bundle }, async (t) => {
      const r = await rawGet(t.url, `/rtsmesh.${SERVER_VERSION}.js`, { 'accept-encoding': 'gzip' });
      expect(r.status).toBe(200);
      expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(r.headers.etag).toMatch(/^"[^"]+"$/);
      expect(decoded(r).toString()).toBe(CONTENT);
      expect((await rawGet(t.url, '/rtsmesh.0.0.0-other.js')).status).toBe(404);
    });
  });

  it('answers HEAD without a body, and serves the source map', async () => {
    await withServer({ bundlePath: bundle }, async (t) => {
      const head = await rawGet(t.url, '/rtsmesh.js', {}, 'HEAD');
      expect(head.status).toBe(200);
      expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(CONTENT));
      expect(head.body.length).toBe(0);
      const map = await rawGet(t.url, '/rtsmesh.js.map');
      expect(map.status).toBe(200);
      expect(map.headers['content-type']).toContain('application/json');
      expect(decoded(map).toString()).toBe('{"version":3}');
    });
  });

  it('serveClient: false serves neither URL', async () => {
    await withServer({ serveClient: false, bundlePath: bundle }, async (t) => {
      expect((await rawGet(t.url, '/rtsmesh.js')).status).toBe(404);
      expect((await rawGet(t.url, `/rtsmesh.${SERVER_VERSION}.js`)).status).toBe(404);
      expect((await rawGet(t.url, '/rtsmesh.js.map')).status).toBe(404);
    });
  });
});
