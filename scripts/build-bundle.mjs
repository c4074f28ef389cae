#!/usr/bin/env node
// Builds the browser ES-module bundle of the client SDK:
//   client/browser.ts -> dist/browser/rtsmesh.js (+ .map)
// Usage: node scripts/build-bundle.mjs [--analyze] [entry] [outfile]   (defaults above; args exist
// for checking the bundler setup against another entry). --analyze prints what takes the room in
// the bundle: the 10 biggest inputs and the biggest packages, by bytes in the minified output.
//
// simple-peer@9 is not bundled: 'simple-peer' resolves to client/peer/native-peer.ts, the same
// signaling surface straight on the browser's RTCPeerConnection. simple-peer@9 with the Node
// polyfills it needs in a browser (readable-stream, buffer, events, a `process` and a `global`)
// was ~106 KiB of a ~300 KiB bundle. Nothing else in the bundle needs those polyfills, so any
// other Node builtin still resolves to an empty stub (listed at the end of the build output).
// Node-only modules (@roamhq/wrtc, node-datachannel, node:* builtins) must never end up in the
// bundle: the client imports them only dynamically on Node, so here they resolve to stubs.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const analyze = args.includes('--analyze');
const positional = args.filter((a) => !a.startsWith('--'));
const entry = resolve(root, positional[0] ?? 'client/browser.ts');
const outfile = resolve(root, positional[1] ?? 'dist/browser/rtsmesh.js');
const rel = (p) => relative(root, p) || '.';

if (!existsSync(entry)) {
  console.log(`[build-bundle] skipped: ${rel(entry)} does not exist yet, no browser bundle built`);
  process.exit(0);
}

/** Packages that only work in Node (native addons). A static import of one fails loudly at load. */
const NODE_ONLY_PACKAGES = ['@roamhq/wrtc', 'node-datachannel'];

const builtins = new Set(builtinModules.filter((m) => !m.startsWith('_')));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const nodeOnlyFilter = new RegExp(`^(${NODE_ONLY_PACKAGES.map(escape).join('|')})(/.*)?$`);

const stubbed = new Set();
/** Marks a nested build.resolve() so the plugin does not intercept its own lookup. */
const SKIP = 'rtsmesh-skip-builtin-stub';

/** @type {esbuild.Plugin} */
const browserResolvePlugin = {
  name: 'rtsmesh-browser-resolve',
  setup(build) {
    // Native WebRTC addons: an ESM stub that throws when evaluated, so a dynamic import rejects with
    // a clear message instead of handing back an empty object.
    build.onResolve({ filter: nodeOnlyFilter }, (args) => {
      stubbed.add(args.path);
      return { path: args.path, namespace: 'node-only-stub' };
    });
    build.onLoad({ filter: /.*/, namespace: 'node-only-stub' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`rtsmesh: "${args.path}" is Node-only and not available in the browser bundle`)});\n`,
      loader: 'js',
    }));

    // Any builtin (node:os, node:crypto, 'os', ...) -> an empty CommonJS module. Shared code may
    // import node:crypto at top level (token signing), so this stub must load without throwing;
    // its functions simply are not there in the browser.
    build.onResolve({ filter: /^[a-z_/:]+$/ }, async (args) => {
      const name = args.path.startsWith('node:') ? args.path.slice(5) : args.path;
      if (!args.path.startsWith('node:') && !builtins.has(name)) return undefined;
      // A bare builtin name is first left to esbuild: an npm package of that name (string_decoder)
      // or a package.json "browser" mapping (a package that maps util to false) wins over the stub.
      if (!args.path.startsWith('node:') && !args.pluginData?.[SKIP]) {
        const normal = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { [SKIP]: true },
        });
        if (normal.errors.length === 0) {
          // A "browser": false mapping comes back without a namespace and cannot be returned as is.
          if (normal.namespace === '') return { path: args.path, namespace: 'builtin-stub' };
          return { path: normal.path, namespace: normal.namespace, sideEffects: normal.sideEffects };
        }
      }
      if (args.pluginData?.[SKIP]) return undefined;
      stubbed.add(args.path);
      return { path: args.path, namespace: 'builtin-stub' };
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin-stub' }, () => ({
      contents: 'module.exports = {};\n',
      loader: 'js',
    }));

    // The SDK opens its socket with transports: ['websocket'] only (client/connection.ts), so
    // engine.io's HTTP long-polling and WebTransport transports are dead code in the browser;
    // its transport table is the one place that keeps them (~5 KiB) in the bundle.
    build.onLoad({ filter: /engine\.io-client[\\/]build[\\/]esm[\\/]transports[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (/websocket: WS,/.test(source)) {
        const contents = 'import { WS } from "./websocket.node.js";\nexport const transports = { websocket: WS };\n';
        return { contents, loader: 'js', resolveDir: dirname(args.path) };
      }
      console.warn(`[build-bundle] warning: unexpected transport table in ${rel(args.path)}, kept as is`);
      return undefined;
    });

    // engine.io-client finds the global object with a `Function("return this")()` fallback that
    // never runs in a browser but is still code compiled from a string; globalThis is the same.
    build.onLoad({ filter: /engine\.io-client[\\/]build[\\/]esm[\\/]globals\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const contents = source.replace('Function("return this")()', 'globalThis');
      if (contents === source) console.warn(`[build-bundle] warning: no Function("return this") left to replace in ${rel(args.path)}`);
      return { contents, loader: 'js' };
    });
  },
};

let result;
try {
  result = await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    // Minified: pages load it uncached in every new browser context; the source map keeps it
    // debuggable. keepNames is off (it costs ~14 KiB): no code reads a function's or class's
    // `name`, and the SDK's error classes set theirs as a field (RTSError, WebRTCUnavailableError).
    minify: true,
    keepNames: false,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [browserResolvePlugin],
    // See the top of this file.
    alias: { 'simple-peer': resolve(root, 'client/peer/native-peer.ts') },
  });
} catch (err) {
  // esbuild already printed the errors (logLevel warning); keep `npm run build` red.
  console.error(`[build-bundle] FAILED to bundle ${rel(entry)}${err?.errors ? '' : `: ${err}`}`);
  process.exit(1);
}

// Guard: a native addon must never be bundled, whatever path it was reached by.
const leaked = Object.keys(result.metafile.inputs).filter((p) =>
  /node_modules\/(@roamhq\/wrtc|node-datachannel|@node-datachannel)/.test(p),
);
if (leaked.length > 0) {
  console.error(`[build-bundle] FAILED: Node-only modules ended up in the bundle: ${leaked.join(', ')}`);
  process.exit(1);
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const gzipped = gzipSync(readFileSync(outfile), { level: 9 }).length;
console.log(`[build-bundle] ${rel(entry)} -> ${rel(outfile)} (${kib(statSync(outfile).size)}, ${kib(gzipped)} gzip, esm, es2020, minified, with source map)`);
if (analyze) printAnalysis(result.metafile.outputs[rel(outfile)]?.inputs ?? {});

/** The biggest inputs and packages by their bytes in the minified output. */
function printAnalysis(inputs) {
  const rows = Object.entries(inputs).map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }));
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  const pct = (n) => `${((100 * n) / total).toFixed(1)}%`.padStart(6);
  const line = (label, n) => `  ${kib(n).padStart(10)} ${pct(n)}  ${label}`;
  console.log('[build-bundle] top 10 inputs by bytes in the output:');
  for (const r of rows.sort((a, b) => b.bytes - a.bytes).slice(0, 10)) console.log(line(r.path, r.bytes));
  const byPackage = new Map();
  for (const r of rows) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(r.path.split('node_modules/').length > 2 ? r.path.slice(r.path.lastIndexOf('node_modules/')) : r.path);
    const name = m ? m[1] : r.path.includes(':') ? 'stubs and shims' : 'rtsmesh (client/, shared/)';
    byPackage.set(name, (byPackage.get(name) ?? 0) + r.bytes);
  }
  console.log('[build-bundle] by package:');
  for (const [name, n] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(line(name, n));
}
if (stubbed.size > 0) console.log(`[build-bundle] stubbed for the browser: ${[...stubbed].sort().join(', ')}`);
