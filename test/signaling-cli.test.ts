// The two command-line tools, run as an operator would: built with tsc, started through bin/.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { io as connectClient } from 'socket.io-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { socketParser } from '../shared/socket-parser.js';
import { verifyToken, parseToken } from '../shared/token.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const APP_ID = 'clitestapp00000000000000';
const APP_KEY = 'cli-test-key';
const children = new Set<ChildProcess>();

beforeAll(async () => {
  // Other parts of the package may not type-check yet; tsc still emits, so only the output matters.
  await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { cwd: root }).catch(() => undefined);
  expect(existsSync(join(root, 'dist/signaling/cli/server-cli.js'))).toBe(true);
  expect(existsSync(join(root, 'dist/signaling/cli/token-cli.js'))).toBe(true);
}, 60_000);

afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
});

const bin = (name: string) => join(root, 'bin', name);

async function token(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [bin('rtsmesh-token.js'), ...args]);
  return stdout.trim();
}

/** Starts the server CLI and resolves with its URL once it printed the listening line. */
function startCli(args: string[], env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [bin('rtsmesh-signaling.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; output:\n${out}`)), 15_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /rtsmesh signaling listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ url: m[1], child, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}; output:\n${out}`));
    });
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));
}

async function loginThrough(url: string, appId: string, uid: string, tok: string): Promise<number> {
  const socket = connectClient(url, { transports: ['websocket'], forceNew: true, reconnection: false, parser: socketParser });
  try {
    const reply = (await socket.timeout(5000).emitWithAck('login', { appId, uid, token: tok, sessionId: 'cli-test-session' })) as { code: number };
    return reply.code;
  } finally {
    socket.disconnect();
  }
}

describe('rtsmesh-token', () => {
  it('prints a token the shared verifier accepts, with room and expiry', async () => {
    const plain = await token('--app-id', APP_ID, '--app-key', APP_KEY, '--uid', 'alice');
    expect(verifyToken(plain, { appId: APP_ID, appKey: APP_KEY, userId: 'alice' }).ok).toBe(true);
    expect(parseToken(plain)?.payload).toMatchObject({ roomId: '', expireAt: 0 });
    const scoped = await token('--app-id', APP_ID, '--app-key', APP_KEY, '--uid', 'bob', '--room', 'lobby', '--expire', '60');
    const payload = parseToken(scoped)!.payload;
    expect(payload.roomId).toBe('lobby');
    expect(Math.abs(payload.expireAt - (Math.floor(Date.now() / 1000) + 60))).toBeLessThanOrEqual(5);
  });

  it('fails with a message when arguments are missing or wrong', async () => {
    await expect(token('--app-id', APP_ID, '--uid', 'alice')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--app-key') });
    await expect(token('--app-id', 'short', '--app-key', APP_KEY, '--uid', 'alice')).rejects.toMatchObject({ stderr: expect.stringContaining('24') });
  });
});

describe('rtsmesh-signaling', () => {
  it('--help exits 0 with usage', async () => {
    const { stdout } = await run(process.execPath, [bin('rtsmesh-signaling.js'), '--help']);
    expect(stdout).toMatch(/Usage: rtsmesh-signaling/);
    expect(stdout).toMatch(/--app-key/);
  });

  it('serves logins with tokens from rtsmesh-token, and stops on SIGTERM', async () => {
    const { url, child } = await startCli(['--port', '0', '--host', '127.0.0.1', '--app-id', APP_ID, '--app-key', APP_KEY, '--log-level', 'silent']);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const tok = await token('--app-id', APP_ID, '--app-key', APP_KEY, '--uid', 'alice');
    expect(await loginThrough(url, APP_ID, 'alice', tok)).toBe(0);
    expect(await loginThrough(url, APP_ID, 'alice', tok.slice(0, -4) + 'AAA=')).toBe(-1000);
    process.kill(child.pid!, 'SIGTERM');
    expect(await exitOf(child)).toBe(0);
  });

  it('takes its settings from the environment', async () => {
    const { url, child } = await startCli(['--log-level', 'silent'], {
      RTSMESH_PORT: '0', RTSMESH_HOST: '127.0.0.1', RTSMESH_APP_ID: APP_ID, RTSMESH_APP_KEY: APP_KEY,
    });
    const tok = await token('--app-id', APP_ID, '--app-key', APP_KEY, '--uid', 'bob');
    expect(await loginThrough(url, APP_ID, 'bob', tok)).toBe(0);
    process.kill(child.pid!, 'SIGINT');
    expect(await exitOf(child)).toBe(0);
  });

  it('--dev uses the fixed dev app, prints it, and serves /dev/token and the demo page', async () => {
    const { url, child, output } = await startCli(['--dev', '--port', '0', '--host', '127.0.0.1', '--log-level', 'silent']);
    expect(output()).toContain('rtsmeshdevapp00000000000');
    const dev = (await (await fetch(`${url}/dev/token?uid=carol`)).json()) as { appId: string; token: string };
    expect(dev.appId).toBe('rtsmeshdevapp00000000000');
    expect(await loginThrough(url, dev.appId, 'carol', dev.token)).toBe(0);
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    // The demo app (demo/) and the bundle it imports (served by default).
    expect(await page.text()).toContain('src="demo.js"');
    expect((await fetch(`${url}/demo.js`)).status).toBe(200);
    expect((await fetch(`${url}/rtsmesh.js`)).status).toBe(200);
    process.kill(child.pid!, 'SIGTERM');
    expect(await exitOf(child)).toBe(0);
  });

  it('refuses to start without an app or with an unreachable --redis, explaining why', async () => {
    await expect(run(process.execPath, [bin('rtsmesh-signaling.js'), '--port', '0'], { env: { ...process.env, RTSMESH_APP_ID: '', RTSMESH_APP_KEY: '' } }))
      .rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--app-id') });
    await expect(run(process.execPath, [bin('rtsmesh-signaling.js'), '--port', '0', '--host', '127.0.0.1', '--app-id', APP_ID, '--app-key', APP_KEY, '--redis', 'redis://127.0.0.1:1']))
      .rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('cannot reach Redis at redis://127.0.0.1:1') });
    await expect(run(process.execPath, [bin('rtsmesh-signaling.js'), '--port', 'abc', '--app-id', APP_ID, '--app-key', APP_KEY]))
      .rejects.toMatchObject({ stderr: expect.stringContaining('--port') });
  });
});
