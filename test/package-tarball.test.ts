// The published package works for its users: `npm pack` of a fresh clone holds what users run and
// nothing else; a scratch project that installs the tarball type-checks strict consumers of all
// three entry points (nodenext and bundler resolution), runs a compiled Node consumer against the
// packaged signaling server (two clients over a real P2P link, node-datachannel from the
// registry), and runs both CLIs.
import { existsSync, readdirSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, installInScratch, packFreshCopy, ROOT, run, TSC, type PackedPackage } from './helpers/packed-package.js';
import { startProcess, stopAllProcesses } from './helpers/processes.js';

const APP_ID = 'pkgtestapp00000000000000';
const APP_KEY = 'pkg-test-key';
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; peerDependencies: Record<string, string> };

/** The demo page the CLI serves in --dev mode (signaling/public/ before the demo moved to demo/). */
const DEMO_INDEX = existsSync(join(ROOT, 'demo/index.html')) ? 'demo/index.html' : 'signaling/public/index.html';

let packed: PackedPackage | undefined;
let project = '';

beforeAll(async () => {
  packed = await packFreshCopy();
  // node-datachannel is an optional peer: a Node app adds it itself (prebuilt, no install script).
  project = await installInScratch(packed, 'node-consumer', [`node-datachannel@${PKG.peerDependencies['node-datachannel']}`]);
}, 300_000);

afterAll(async () => {
  await stopAllProcesses();
  cleanup(packed);
});

/** Writes a consumer project's files and compiles it with the project's own tsc. */
async function compile(name: string, tsconfig: Record<string, unknown>, sources: Record<string, string>): Promise<string> {
  const dir = join(project, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(sources)) writeFileSync(join(dir, file), text);
  const config = {
    compilerOptions: {
      strict: true,
      target: 'ES2022',
      skipLibCheck: false,
      // @types/node of the project, found by path like tsc itself.
      typeRoots: [join(ROOT, 'node_modules/@types')],
      outDir: 'out',
      ...tsconfig,
    },
    include: Object.keys(sources),
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
  await run(process.execPath, [TSC, '-p', dir], dir);
  return dir;
}

/** Every entry point, used in a way that needs its types to be right. */
const USES_ALL_ENTRIES = `
import { createRTS, MessageConfig, LoginErrorCode, type RTS, type RTSParameters } from 'rtsmesh/client';
import { createSignalingServer, type SignalingServerOptions } from 'rtsmesh/signaling';
import { createToken, DEFAULT_LIMITS, UserMessageSendResult } from 'rtsmesh/shared';

const params: RTSParameters = { server: 'http://127.0.0.1:1', relayOnly: true };
const options: SignalingServerOptions = { port: 0, host: '127.0.0.1', apps: [{ appId: 'a', appKey: 'k' }] };
export const checks: [typeof createRTS, typeof createSignalingServer, RTSParameters, SignalingServerOptions, number, number, number, string] = [
  createRTS, createSignalingServer, params, options,
  MessageConfig.UnreliableUnordered + LoginErrorCode.InvalidToken, DEFAULT_LIMITS.maxMessageBytes,
  UserMessageSendResult.ExceedMaxLength, createToken({ appId: 'a', appKey: 'k', userId: 'u' }),
];
export type Engine = RTS;
`;

/** Logs two engines into the server at argv[2], links them P2P in a room, sends one direct message. */
const NODE_CONSUMER = `
import { createRTS, MessageConfig, type RTS, type RTSRoom } from 'rtsmesh/client';
import { createToken, UserMessageSendResult } from 'rtsmesh/shared';
import type { SignalingServer } from 'rtsmesh/signaling';

const [server, appId, appKey] = process.argv.slice(2) as [string, string, string];
type Calls = Array<[string, ...unknown[]]>;

function recorder(calls: Calls): Record<string, (...a: unknown[]) => void> {
  return new Proxy({}, { get: (_t, name) => (...a: unknown[]) => { calls.push([String(name), ...a]); } });
}

async function until<T>(what: string, f: () => T | undefined): Promise<T> {
  for (let i = 0; i < 1500; i++) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('timed out waiting for ' + what);
}

async function user(uid: string): Promise<{ rts: RTS; room: RTSRoom; calls: Calls; roomCalls: Calls }> {
  const calls: Calls = [];
  const rts = createRTS(appId, recorder(calls), { server, iceAddresses: ['127.0.0.1'] });
  rts.login(createToken({ appId, appKey, userId: uid }), uid);
  const login = await until('login of ' + uid, () => calls.find((c) => c[0] === 'onLoginResult'));
  if (login[2] !== 0) throw new Error('login of ' + uid + ' failed: ' + String(login[2]));
  const room = rts.createRoom('pkgroom');
  if (!room) throw new Error('createRoom failed');
  const roomCalls: Calls = [];
  room.setRTSRoomDelegate(recorder(roomCalls));
  room.joinRoom();
  await until('join of ' + uid, () => roomCalls.find((c) => c[0] === 'onRoomStateChanged' && c[3] === 0));
  return { rts, room, calls, roomCalls };
}

const alice = await user('alice');
const bob = await user('bob');
const p2p = (u: { calls: Calls }, peer: string) => u.calls.find((c) => c[0] === 'onPeerLinkStateChanged' && c[1] === peer && c[2] === 'p2p');
await until('alice-bob P2P link', () => p2p(alice, 'bob'));
await until('bob-alice P2P link', () => p2p(bob, 'alice'));
const id = alice.rts.sendMessage('bob', 'hello from the packed package', MessageConfig.ReliableOrdered);
const result = await until('send result', () => alice.calls.find((c) => c[0] === 'onMessageSendResult' && c[1] === id));
const received = await until('delivery', () => bob.calls.find((c) => c[0] === 'onMessageReceived'));
const unused: SignalingServer | undefined = undefined;
console.log(JSON.stringify({ id, code: result[2], success: UserMessageSendResult.Success, received: received.slice(1), version: alice.rts.getSdkVersion(), unused: unused ?? null }));
alice.rts.destroyRTS();
bob.rts.destroyRTS();
`;

/** A browser app: DOM types only, no @types/node; rtsmesh/browser is the prebuilt bundle. */
const BROWSER_APP = `
import { createRTS, MessageConfig, type RTS } from 'rtsmesh/client';
import * as bundle from 'rtsmesh/browser';
const rts: RTS = createRTS('x', {}, { server: location.origin });
export const id: number = MessageConfig.UnreliableOrdered + rts.sendMessage('u', 'x');
export const same: typeof createRTS = bundle.createRTS;
`;

describe('the npm tarball', () => {
  it('holds the compiled JS, types, browser bundle, CLIs, README and LICENSE, and no tests, sources or tooling', () => {
    const files = packed!.files;
    for (const f of [
      'package.json', 'README.md', 'LICENSE', 'dist/client/index.js', 'dist/client/index.d.ts', 'dist/browser/rtsmesh.js',
      'dist/signaling/index.js', 'dist/signaling/index.d.ts', 'dist/shared/index.js', 'dist/shared/index.d.ts',
      'bin/rtsmesh-signaling.js', 'bin/rtsmesh-token.js', DEMO_INDEX,
    ]) expect(files, f).toContain(f);
    const stray = files.filter((f) => /^(test|e2e|bench|scripts|docs|\.ci|client|shared)\//.test(f)
      || (f.endsWith('.ts') && !f.endsWith('.d.ts')) || /^(playwright|vitest)\.config\./.test(f) || f === 'tsconfig.json');
    expect(stray).toEqual([]);
  });

  it('installs without any native module unless the app adds a WebRTC stack', async () => {
    const bare = await installInScratch(packed!, 'browser-app');
    expect(existsSync(join(bare, 'node_modules/rtsmesh/dist/browser/rtsmesh.js'))).toBe(true);
    expect(existsSync(join(bare, 'node_modules/node-datachannel'))).toBe(false);
    expect(existsSync(join(bare, 'node_modules/@roamhq/wrtc'))).toBe(false);
    // Nothing native at all (msgpackr's optional msgpackr-extract used to come along).
    const native = readdirSync(join(bare, 'node_modules'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.node'));
    expect(native).toEqual([]);
    // The bundle is self-contained: it imports nothing.
    const bundle = readFileSync(join(bare, 'node_modules/rtsmesh/dist/browser/rtsmesh.js'), 'utf8');
    expect(bundle).not.toMatch(/(?:^|[;\s])import\s*[^(]*?from\s*["']/);
    expect(bundle).not.toMatch(/\brequire\(["'][^"']+["']\)/);
  }, 180_000);

  it('type-checks strict consumers of rtsmesh/client, /signaling and /shared with nodenext and with bundler resolution, and a browser app without Node types', async () => {
    await compile('tsc-nodenext', { module: 'nodenext', moduleResolution: 'nodenext', types: ['node'] }, { 'consumer.ts': USES_ALL_ENTRIES });
    await compile('tsc-bundler', { module: 'esnext', moduleResolution: 'bundler', types: ['node'], lib: ['ES2022', 'DOM'] }, { 'consumer.ts': USES_ALL_ENTRIES });
    await compile('tsc-browser', { module: 'esnext', moduleResolution: 'bundler', types: [], lib: ['ES2022', 'DOM'], noEmit: true }, { 'app.ts': BROWSER_APP });
  }, 120_000);

  it('a compiled Node consumer logs two engines into the packaged signaling server and exchanges a message over P2P', async () => {
    const consumer = await compile('node-app', { module: 'nodenext', moduleResolution: 'nodenext', types: ['node'] }, { 'main.ts': NODE_CONSUMER });
    writeFileSync(join(consumer, 'out/package.json'), '{"type":"module"}\n');
    const { proc, match } = await startProcess(join(project, 'node_modules/.bin/rtsmesh-signaling'),
      ['--port', '0', '--host', '127.0.0.1', '--app-id', APP_ID, '--app-key', APP_KEY, '--dev', '--log-level', 'warn'],
      { cwd: project, name: 'packaged rtsmesh-signaling', readyLine: /rtsmesh signaling listening on (http:\/\/\S+)/ });
    const url = match[1];
    // The packaged server serves the packaged browser bundle and demo page.
    expect((await fetch(`${url}/rtsmesh.js`)).status).toBe(200);
    expect((await fetch(`${url}/`)).status).toBe(200);

    const { stdout } = await run(process.execPath, [join(consumer, 'out/main.js'), url, APP_ID, APP_KEY], consumer, 90_000);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { id: number; code: number; success: number; received: unknown[]; version: string };
    expect(result.id).toBeGreaterThan(0);
    expect(result.code).toBe(result.success);
    expect(result.received).toEqual(['alice', 'hello from the packed package']);
    expect(result.version).toBe(PKG.version);
    await proc.stop();
  }, 150_000);

  it('runs both CLIs through npx in the installing project', async () => {
    const server = await run('npx', ['rtsmesh-signaling', '--help'], project);
    expect(server.stdout).toContain('Usage: rtsmesh-signaling');
    expect(server.stdout).toContain('--port');
    const token = await run('npx', ['rtsmesh-token', '--help'], project);
    expect(token.stdout).toMatch(/Usage: rtsmesh-token/);
  }, 60_000);
});
