// Finds the rtsmesh package folder from this module's location, which works both from the
// sources (signaling/*.ts run by tsx/vitest) and from the build (dist/signaling/*.js).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { root: string; version: string } | undefined;

function find(): { root: string; version: string } {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const json = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (json.name === 'rtsmesh') return (cached = { root: dir, version: json.version ?? '0.0.0' });
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('rtsmesh package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Absolute path of the package folder (where package.json is). */
export function packageRoot(): string {
  return find().root;
}

export function packageVersion(): string {
  return find().version;
}

/** Where `npm run build` puts the client SDK's browser bundle in this package. */
export function defaultBundlePath(): string {
  return join(find().root, 'dist', 'browser', 'rtsmesh.js');
}
