// Login lifecycle of the SDK against a real signaling server: results, connection states,
// logout, token updates, duplicate logins, presence queries.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConnectionState, LoginErrorCode, LogoutReason, SDK_VERSION, UserOnlineStatus, createRTS,
} from '../client/index.js';
import { useTestbed, Recorder, memoryLogger } from './helpers/rts-clients.js';
import { closedPort, sleep, waitFor, type TestServer } from './helpers/server.js';

const bed = useTestbed();
const { clients } = bed;
let srv: TestServer;

describe('login and logout', () => {
  it('logs in: Connecting → Connected, onLoginResult(uid, 0, elapsed)', async () => {
    srv = await bed.start();
    const { rts, rec } = clients.create();
    expect(rts.login(srv.token('alice'), 'alice')).toBe(0);
    const [uid, code, elapsed] = await rec.wait('onLoginResult');
    expect([uid, code]).toEqual(['alice', LoginErrorCode.Success]);
    expect(typeof elapsed).toBe('number');
    expect(rec.of('onConnectionStateChanged').map((a) => a[0])).toEqual([ConnectionState.Connecting, ConnectionState.Connected]);
  });

  it('logout → onLogout(0), Disconnected, and the user is offline for others', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    const bob = await clients.login('bob');
    expect(alice.rts.logout()).toBe(0);
    await alice.rec.wait('onLogout', (r) => r === LogoutReason.Logout);
    expect(alice.rec.of('onConnectionStateChanged').at(-1)).toEqual([ConnectionState.Disconnected]);
    bob.rts.getPeerOnlineStatus('alice');
    const [, status] = await bob.rec.wait('onGetPeerOnlineStatus');
    expect(status).toBe(UserOnlineStatus.Offline);
    // And can log in again on the same engine.
    alice.rts.login(srv.token('alice'), 'alice');
    await alice.rec.wait('onLoginResult', (_u, code) => code === 0 && alice.rec.count('onLoginResult') === 2);
  });

  it('a token signed with another key → InvalidToken (-1000), Failed', async () => {
    srv = await bed.start();
    const { rts, rec } = clients.create();
    rts.login(srv.token('alice', { appKey: 'not-the-key' }), 'alice');
    const [, code] = await rec.wait('onLoginResult');
    expect(code).toBe(LoginErrorCode.InvalidToken);
    expect(rec.of('onConnectionStateChanged').at(-1)).toEqual([ConnectionState.Failed]);
  });

  it('updateLoginToken after InvalidToken logs in again by itself', async () => {
    srv = await bed.start();
    const { rts, rec } = clients.create();
    rts.login(srv.token('alice', { expireAt: Math.floor(Date.now() / 1000) - 10 }), 'alice');
    await rec.wait('onLoginResult', (_u, code) => code === LoginErrorCode.InvalidToken);
    expect(rts.updateLoginToken(srv.token('alice'))).toBe(0);
    await rec.wait('onLoginResult', (_u, code) => code === LoginErrorCode.Success);
  });

  it('updateLoginToken while logged in is accepted and keeps the session', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    expect(alice.rts.updateLoginToken(srv.token('alice'))).toBe(0);
    await sleep(100);
    expect(alice.rec.count('onLogout')).toBe(0);
    expect(alice.rec.of('onConnectionStateChanged').at(-1)).toEqual([ConnectionState.Connected]);
  });

  it('an invalid uid → InvalidUserId (-1002), reported asynchronously', async () => {
    srv = await bed.start();
    const { rts, rec } = clients.create();
    expect(rts.login(srv.token('ok'), 'bad uid!')).toBe(0);
    expect(rec.count('onLoginResult')).toBe(0);
    const [uid, code] = await rec.wait('onLoginResult');
    expect([uid, code]).toEqual(['bad uid!', LoginErrorCode.InvalidUserId]);
  });

  it('bad arguments return -2; login while logged in returns -1', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    expect(alice.rts.login(42 as unknown as string, 'alice')).toBe(-2);
    expect(alice.rts.login(srv.token('alice'), 'alice')).toBe(-1);
  });

  it('an unreachable server → ServerError (-1003), Failed', async () => {
    srv = await bed.start();
    const port = await closedPort();
    const { rts, rec } = clients.create({ server: `http://127.0.0.1:${port}` });
    rts.login(srv.token('alice'), 'alice');
    const [, code] = await rec.wait('onLoginResult');
    expect(code).toBe(LoginErrorCode.ServerError);
    expect(rec.of('onConnectionStateChanged').at(-1)).toEqual([ConnectionState.Failed]);
  });

  it('the same uid logging in elsewhere logs the earlier engine out with DuplicateLogin (1)', async () => {
    srv = await bed.start();
    const first = await clients.login('alice');
    const second = await clients.login('alice');
    await first.rec.wait('onLogout', (r) => r === LogoutReason.DuplicateLogin);
    expect(first.rec.of('onConnectionStateChanged').at(-1)).toEqual([ConnectionState.Disconnected]);
    await sleep(300);
    // The earlier one does not fight back by reconnecting.
    expect(second.rec.count('onLogout')).toBe(0);
    expect(first.rec.count('onConnectionStateChanged')).toBe(3);
  });
});

describe('engine basics', () => {
  it('getSdkVersion matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(SDK_VERSION).toBe(pkg.version);
    const rts = createRTS('rtsmeshtestapp0000000000', null, { server: 'http://127.0.0.1:1', logger: memoryLogger() });
    expect(rts.getSdkVersion()).toBe(pkg.version);
    rts.destroy();
  });

  it('setBusinessId: 0 when valid before login, -6002 invalid, -6001 after login', async () => {
    srv = await bed.start();
    const { rts, rec } = clients.create();
    expect(rts.setBusinessId('bad id!')).toBe(-6002);
    expect(rts.setBusinessId('biz.1@x-y_z')).toBe(0);
    rts.login(srv.token('alice'), 'alice');
    expect(rts.setBusinessId('biz2')).toBe(-6001);
    await rec.wait('onLoginResult');
    expect(rts.setBusinessId('biz2')).toBe(-6001);
  });

  it('createRTS without a server URL throws a clear error', () => {
    expect(() => createRTS('rtsmeshtestapp0000000000', null, {} as never)).toThrow(/server/);
    expect(() => createRTS('rtsmeshtestapp0000000000', null, { server: 'http://x', bogus: 1 } as never)).toThrow(/bogus/);
  });
});

describe('presence', () => {
  it('getPeerOnlineStatus: online, offline, and self', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice');
    await clients.login('bob');
    alice.rts.getPeerOnlineStatus('bob');
    alice.rts.getPeerOnlineStatus('carol');
    alice.rts.getPeerOnlineStatus('alice');
    await waitFor(() => alice.rec.count('onGetPeerOnlineStatus') === 3);
    const byUid = Object.fromEntries(alice.rec.of('onGetPeerOnlineStatus').map(([u, s]) => [u, s]));
    expect(byUid).toEqual({ bob: UserOnlineStatus.Online, carol: UserOnlineStatus.Offline, alice: UserOnlineStatus.Online });
  });

  it('a user whose connection dropped is Unreachable during the grace period', async () => {
    srv = await bed.start({ dropGraceMs: 60_000 });
    const alice = await clients.login('alice');
    const raw = await srv.login('bob');
    raw.socket.io.engine.close(); // transport dies without a logout
    await sleep(100);
    alice.rts.getPeerOnlineStatus('bob');
    const [, status] = await alice.rec.wait('onGetPeerOnlineStatus');
    expect(status).toBe(UserOnlineStatus.Unreachable);
  });
});

describe('handler objects and emitters', () => {
  it('both receive every event; a throwing callback does not break the SDK', async () => {
    srv = await bed.start();
    const logger = memoryLogger();
    const rec = new Recorder();
    const rts = createRTS(srv.appId, {
      onLoginResult() {
        throw new Error('app bug');
      },
    }, { server: srv.url, relayOnly: true, logger });
    const seen: number[] = [];
    const fn = (_u: string, code: number): void => {
      seen.push(code);
    };
    rts.on('onLoginResult', fn);
    rts.on('onConnectionStateChanged', (s) => rec.handler.state(s));
    rts.login(srv.token('alice'), 'alice');
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual([0]);
    expect(logger.lines.some((l) => l.includes('app bug'))).toBe(true);
    rts.off('onLoginResult', fn);
    rts.logout();
    await waitFor(() => rec.of('state').some(([s]) => s === ConnectionState.Disconnected));
    rts.login(srv.token('alice'), 'alice');
    await waitFor(() => rec.of('state').filter(([s]) => s === ConnectionState.Connected).length === 2);
    expect(seen).toEqual([0]);
    rts.destroy();
  });
});
