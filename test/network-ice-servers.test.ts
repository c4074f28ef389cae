// ICE servers from the operator (SPEC §10): the server's `ice` option (library and CLI), what a
// client gets at login (STUN as is, TURN with REST credentials minted for its uid, never the
// secret), the refresh before the credential expires, the app's own iceServers winning, and a
// configuration that cannot work refusing to start.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createRTS, type LinkManagerContext, type RTS } from '../client/index.js';
import { defaultLinkManagerFactory } from '../client/link-factory.js';
import { createSignalingServer } from '../signaling/index.js';
import { turnCredential } from '../signaling/domain/ice-servers.js';
import { iceFromFlags } from '../signaling/cli/ice-flags.js';
import { startTestServer, TEST_APP_ID, TEST_APP_KEY, waitFor, type TestServer } from './helpers/server.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const SECRET = 'ice-test-secret';
const ICE = { stun: ['stun:stun.example.org:3478'], turn: { urls: ['turn:turn.example.org:3478?transport=udp'], secret: SECRET } };

let srv: TestServer | null = null;
const engines: RTS[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) e.destroyRTS();
  await srv?.close();
  srv = null;
});

/** An engine logged in as `uid` whose link layer hands out its context (to read iceServers()). */
async function engineWithContext(uid: string, extra: Record<string, unknown> = {}): Promise<() => LinkManagerContext> {
  let ctx: LinkManagerContext | null = null;
  const rts = createRTS(TEST_APP_ID, {}, {
    server: srv!.url,
    webrtc: 'node-datachannel',
    logger: { warn: () => undefined, error: () => undefined },
    linkManagerFactory: (c) => {
      ctx = c;
      return defaultLinkManagerFactory(c);
    },
    ...extra,
  });
  engines.push(rts);
  expect((await rts.promises.login(srv!.token(uid), uid))).toBeDefined();
  await waitFor(() => ctx !== null);
  return () => ctx!;
}

describe('ICE servers from the signaling server', () => {
  it('a client gets the STUN URLs and TURN credentials minted for its uid at login; the secret never', async () => {
    srv = await startTestServer({ ice: ICE });
    const { reply } = await srv.login('alice');
    const [stun, turn] = reply.iceServers!;
    expect(stun).toEqual({ urls: ICE.stun });
    expect(turn.urls).toEqual(ICE.turn.urls);
    const [expiry, uid] = turn.username!.split(':');
    expect(uid).toBe('alice');
    expect(Number(expiry) * 1000).toBe(reply.iceExpiresAtMs);
    // Default TTL: 14,400 s from now (on the server's clock).
    expect(reply.iceExpiresAtMs! - reply.serverTime!).toBeGreaterThan(14_399_000);
    expect(reply.iceExpiresAtMs! - reply.serverTime!).toBeLessThanOrEqual(14_400_000);
    expect(turn.credential).toBe(turnCredential(SECRET, 'alice', Number(expiry)).credential);
    expect(JSON.stringify(reply)).not.toContain(SECRET);
  });

  it('a server without the option hands out none', async () => {
    srv = await startTestServer();
    const { reply } = await srv.login('alice');
    expect(reply.iceServers).toBeUndefined();
    expect(reply.iceExpiresAtMs).toBeUndefined();
  });

  it('the engine uses them for its links and refreshes the TURN credential before it expires', async () => {
    srv = await startTestServer({ ice: { turn: { ...ICE.turn, ttlSeconds: 2 } } });
    const ctx = await engineWithContext('alice');
    const first = ctx().iceServers()[0];
    expect(first.urls).toEqual(ICE.turn.urls);
    const firstExpiry = Number(first.username!.split(':')[0]);
    // Refreshed at half the lifetime: a later expiry, a credential coturn would accept.
    await waitFor(() => ctx().iceServers()[0].username !== first.username, 10_000);
    const fresh = ctx().iceServers()[0];
    const freshExpiry = Number(fresh.username!.split(':')[0]);
    expect(freshExpiry).toBeGreaterThan(firstExpiry);
    expect(freshExpiry * 1000).toBeGreaterThan(Date.now());
    expect(fresh.credential).toBe(turnCredential(SECRET, 'alice', freshExpiry).credential);
  });

  it("an app's own iceServers win over the server's", async () => {
    srv = await startTestServer({ ice: ICE });
    const own = [{ urls: 'stun:own.example.org:3478' }];
    const ctx = await engineWithContext('alice', { iceServers: own });
    expect(ctx().iceServers()).toEqual(own);
  });

  it('a configuration that cannot work refuses to start, naming the field', async () => {
    const base = { port: 0, host: '127.0.0.1', logLevel: 'silent', apps: [{ appId: TEST_APP_ID, appKey: TEST_APP_KEY }] };
    await expect(createSignalingServer({ ...base, ice: { turn: { urls: ['turn:h:3478'], secret: '' } } })).rejects.toThrow(/ice\.turn\.secret/);
    await expect(createSignalingServer({ ...base, ice: { turn: { urls: ['turn:h:3478'] } as never } })).rejects.toThrow(/ice\.turn\.secret/);
    await expect(createSignalingServer({ ...base, ice: { turn: { urls: ['http://h'], secret: 's' } } })).rejects.toThrow(/ice\.turn\.urls/);
    await expect(createSignalingServer({ ...base, ice: { turn: { urls: ['turn:h'], secret: 's', ttlSeconds: 0 } } })).rejects.toThrow(/ttlSeconds/);
    await expect(createSignalingServer({ ...base, ice: { turn: { urls: ['turn:h'], secret: 's', ttlSeconds: -5 } } })).rejects.toThrow(/ttlSeconds/);
    await expect(createSignalingServer({ ...base, ice: { stun: ['stun h'] } })).rejects.toThrow(/ice\.stun/);
  });
});

describe('the CLI', () => {
  const cli = (env: Record<string, string>, ...args: string[]) =>
    run(process.execPath, [join(root, 'bin', 'rtsmesh-signaling.js'), '--port', '0', '--host', '127.0.0.1', '--app-id', TEST_APP_ID, '--app-key', TEST_APP_KEY, ...args], {
      env: { ...process.env, ...env }, timeout: 15_000,
    });

  it('maps --stun/--turn/--turn-secret/--turn-ttl and their variables to the ice option', () => {
    expect(iceFromFlags({})).toBeUndefined();
    expect(iceFromFlags({ stun: ['stun:a:1'], turn: ['turn:b:2'], turnSecret: 's', turnTtl: 60 })).toEqual({
      stun: ['stun:a:1'], turn: { urls: ['turn:b:2'], secret: 's', ttlSeconds: 60 },
    });
    expect(() => iceFromFlags({ turnSecret: 's' })).toThrow(/--turn/);
    expect(() => iceFromFlags({ turnTtl: 5 })).toThrow(/--turn/);
  });

  it('refuses to start with TURN URLs and no secret, or a TTL of 0, saying why', async () => {
    await expect(cli({ RTSMESH_TURN: 'turn:127.0.0.1:3478' })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('ice.turn.secret') });
    await expect(cli({ RTSMESH_TURN: 'turn:127.0.0.1:3478', RTSMESH_TURN_SECRET: 's', RTSMESH_TURN_TTL: '0' })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('ttlSeconds') });
    await expect(cli({}, '--turn-secret', 's')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--turn') });
    await expect(cli({}, '--turn', 'http://nope', '--turn-secret', 's')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('ice.turn.urls') });
  });
});
