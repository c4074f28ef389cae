// The browser bundle of the client SDK, served by default (SPEC §12) the way socket.io serves its
// client: `/rtsmesh.js` revalidated on every load (`no-cache` + ETag, a 304 when unchanged), and
// `/rtsmesh.<version>.js` for pages that pin the version, cached for a year as immutable. Both are
// compressed by Accept-Encoding (br, gzip): the file is read once and each encoding is made once,
// at its first request, and kept in memory; all is read again only when the file changes on disk
// (a rebuild while the server runs).
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { sendText } from './http-util.js';

export const BUNDLE_PATH = '/rtsmesh.js';
/** The URL of this version's bundle, which never changes and may be cached for good. */
export const versionedBundlePath = (version: string): string => `/rtsmesh.${version}.js`;

const IMMUTABLE = 'public, max-age=31536000, immutable';
const JS = 'application/javascript; charset=utf-8';

type Encoding = 'br' | 'gzip' | 'identity';

interface Compiled {
  mtimeMs: number;
  size: number;
  /** Hash of the file; each encoding's ETag adds a suffix (they are different representations). */
  tag: string;
  raw: Buffer;
  compressed: Map<Exclude<Encoding, 'identity'>, Promise<Buffer>>;
}

// brotli quality 9: a 740 KiB bundle in about 0.4 s (11 takes 3 s for 8 % less), off the event
// loop in zlib's thread pool.
const COMPRESS = {
  br: (raw: Buffer) => promisify(brotliCompress)(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
  gzip: (raw: Buffer) => promisify(gzip)(raw, { level: zlib.Z_BEST_COMPRESSION }),
};

function body(entry: Compiled, encoding: Encoding): Promise<Buffer> {
  if (encoding === 'identity') return Promise.resolve(entry.raw);
  let made = entry.compressed.get(encoding);
  if (!made) entry.compressed.set(encoding, (made = COMPRESS[encoding](entry.raw)));
  return made;
}

/** Per file, for every server of the process: a bundle is compressed once, not once per server. */
const cache = new Map<string, Compiled>();

async function compiled(file: string): Promise<Compiled | undefined> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return undefined;
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit;
  const raw = await readFile(file);
  const entry: Compiled = {
    mtimeMs: info.mtimeMs,
    size: info.size,
    tag: createHash('sha256').update(raw).digest('base64url').slice(0, 22),
    raw,
    compressed: new Map(),
  };
  cache.set(file, entry);
  return entry;
}

/** br over gzip over none, as the client accepts them (`q=0` refuses one). */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string): boolean => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return 'identity';
}

const etagOf = (tag: string, encoding: Encoding): string => `"${tag}${encoding === 'identity' ? '' : `-${encoding}`}"`;

/** True when If-None-Match names this file in any encoding (the content is the same). */
function notModified(req: IncomingMessage, tag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '').replace(/"/g, '').replace(/-(br|gzip)$/, '') === tag);
}

export interface BundleOptions {
  /** The bundle file, or undefined when the server does not serve it (serveClient: false). */
  bundlePath?: string;
  version: string;
}

/** Serves GET/HEAD of the bundle and its source map; returns false for any other request. */
export async function handleClientBundle(opts: BundleOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const versioned = versionedBundlePath(opts.version);
  const path = url.pathname;
  const isMap = path === `${BUNDLE_PATH}.map` || path === `${versioned}.map`;
  if (path !== BUNDLE_PATH && path !== versioned && !isMap) return false;
  if (!opts.bundlePath) return false;
  const entry = await compiled(isMap ? `${opts.bundlePath}.map` : opts.bundlePath);
  if (!entry) {
    sendText(res, 404, 'rtsmesh.js is not available: the browser bundle was not built (run `npm run build`) or no bundlePath is configured\n');
    return true;
  }
  const encoding = chooseEncoding(req.headers['accept-encoding']);
  const headers: Record<string, string | number> = {
    'content-type': isMap ? 'application/json; charset=utf-8' : JS,
    'cache-control': path.startsWith(versioned) ? IMMUTABLE : 'no-cache',
    etag: etagOf(entry.tag, encoding),
    vary: 'accept-encoding',
    // Public code: pages on other origins (e.g. an app's dev server) may import it as a module.
    'access-control-allow-origin': '*',
  };
  if (notModified(req, entry.tag)) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  const content = await body(entry, encoding);
  if (encoding !== 'identity') headers['content-encoding'] = encoding;
  headers['content-length'] = content.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : content);
  return true;
}
