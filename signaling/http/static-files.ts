// Static files: the browser bundle at /rtsmesh.js and an optional public folder at /. Paths are
// resolved inside the folder and anything that would leave it is a 404.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { sendText } from './http-util.js';

export const BUNDLE_PATH = '/rtsmesh.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.mjs': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export interface StaticOptions {
  publicDir?: string;
  bundlePath?: string;
}

/** Serves GET/HEAD of static files; returns false when the request is not one of them. */
export async function handleStatic(opts: StaticOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (url.pathname === BUNDLE_PATH || url.pathname === `${BUNDLE_PATH}.map`) {
    const file = opts.bundlePath && (url.pathname === BUNDLE_PATH ? opts.bundlePath : `${opts.bundlePath}.map`);
    // Public code: pages on other origins (e.g. an app's dev server) may import it as a module.
    if (file && (await serveFile(req, res, resolve(file), { 'access-control-allow-origin': '*' }))) return true;
    sendText(res, 404, 'rtsmesh.js is not available: the browser bundle was not built (run `npm run build`) or no bundlePath is configured\n');
    return true;
  }
  if (!opts.publicDir) return false;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return false;
  }
  if (path.includes('\0')) return false;
  const root = resolve(opts.publicDir);
  let file = resolve(join(root, path));
  if (file !== root && !file.startsWith(root + sep)) return false;
  const info = await stat(file).catch(() => null);
  if (info?.isDirectory()) file = join(file, 'index.html');
  return serveFile(req, res, file);
}

async function serveFile(req: IncomingMessage, res: ServerResponse, file: string, extraHeaders: Record<string, string> = {}): Promise<boolean> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return false;
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-cache',
    ...extraHeaders,
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
  return true;
}
