// Issue 10, logs (SPEC §12): at `info` the server says who logged in (uid, app, code), logged out,
// joined, left, dropped, was kicked or displaced, and which P2Server messages failed — and no line
// at any level ever carries a token, an app key, a P2Server signature or the metrics token.
import { multistream, pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from './helpers/log-capture.js';
import { request, startTestServer, TEST_APP_KEY, waitFor, type TestServer } from './helpers/server.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const SIGNATURE = 'p2server-signature-secret';
const METRICS_TOKEN = 'metrics-token-secret';

describe('server logs', () => {
  it('tell the story at info and never carry a secret at any level', async () => {
    const info = captureLog('info');
    const trace = captureLog('trace');
    // One logger writing to both captures: `info` for the story, `trace` for the secrecy check.
    const fanout = pino({ level: 'trace' }, multistream([
      { level: 'info', stream: info.sink },
      { level: 'trace', stream: trace.sink },
    ]));
    t = await startTestServer({ logger: fanout, dropGraceMs: 100, metricsToken: METRICS_TOKEN });
    const secrets: string[] = [TEST_APP_KEY, SIGNATURE, METRICS_TOKEN];

    // Logins: good, bad token, malformed (a token in a broken payload), duplicate.
    const alice = await t.login('alice');
    secrets.push(t.token('alice'));
    const badToken = t.token('mallory').slice(0, -6) + 'AAAAA=';
    secrets.push(badToken);
    const anon = await t.connect();
    expect((await request(anon, 'login', { appId: t.appId, uid: 'mallory', token: badToken, sessionId: 'mallory-session' })).code).toBe(-1000);
    expect((await request(anon, 'login', { appId: t.appId, uid: 5, token: badToken, sessionId: 'x' })).code).toBe(-2);
    const tokenUpdate = t.token('alice', { expireAt: Math.floor(Date.now() / 1000) + 3600 });
    secrets.push(tokenUpdate);
    expect((await request(alice.socket, 'token:update', { token: tokenUpdate })).code).toBe(0);
    // Rooms: join, leave, kick through the REST API (the app key in a header), drop.
    expect((await request(alice.socket, 'room:join', { roomId: 'lobby' })).code).toBe(0);
    const bob = await t.login('bob');
    secrets.push(t.token('bob'));
    expect((await request(bob.socket, 'room:join', { roomId: 'lobby' })).code).toBe(0);
    const kick = await fetch(`${t.url}/api/v1/rooms/lobby/users/bob/kick`, { method: 'POST', headers: { authorization: `Bearer ${TEST_APP_KEY}` } });
    expect(kick.status).toBe(200);
    expect((await request(alice.socket, 'room:leave', { roomId: 'lobby' })).code).toBe(0);
    // A P2Server message that fails (loopback refused), with a signature.
    expect((await request(alice.socket, 'server:params', { signature: SIGNATURE, url: 'http://127.0.0.1:1/hook' })).code).toBe(200);
    expect((await request(alice.socket, 'server:message', { msgId: 1, data: 'x' })).code).toBe(17);
    // Metrics with its token, and a wrong app key on the REST API.
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${t.url}/api/v1/users/alice/status`, { headers: { authorization: `Bearer ${TEST_APP_KEY}x` } })).status).toBe(401);
    // Duplicate login of bob, then carol joins and drops, alice logs out.
    await t.login('bob');
    const carol = await t.login('carol');
    secrets.push(t.token('carol'));
    expect((await request(carol.socket, 'room:join', { roomId: 'lobby' })).code).toBe(0);
    carol.socket.disconnect();
    await waitFor(() => info.find('dropped').length > 0, 5000, 'drop logged');
    expect((await request(alice.socket, 'logout', {})).code).toBe(0);

    const story = info.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const has = (msg: string, fields: Record<string, unknown>) =>
      story.some((l) => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v));
    expect(has('login', { uid: 'alice', appId: t.appId, code: 0 })).toBe(true);
    expect(has('login', { uid: 'mallory', code: -1000 })).toBe(true);
    expect(has('joined room', { uid: 'alice', roomId: 'lobby' })).toBe(true);
    expect(has('left room', { uid: 'bob', roomId: 'lobby', reason: 'KickedByAdmin' })).toBe(true);
    expect(has('left room', { uid: 'alice', roomId: 'lobby', reason: 'Quit' })).toBe(true);
    expect(has('left room', { uid: 'carol', roomId: 'lobby', reason: 'Dropped' })).toBe(true);
    expect(has('dropped: the connection did not come back within the grace period', { uid: 'carol' })).toBe(true);
    expect(has('duplicate login: displacing the earlier session', { uid: 'bob' })).toBe(true);
    expect(has('P2Server message failed', { uid: 'alice', code: 17 })).toBe(true);
    expect(has('logout', { uid: 'alice' })).toBe(true);

    const everything = trace.lines.join('\n');
    expect(trace.lines.length).toBeGreaterThan(info.lines.length);
    for (const secret of secrets) expect(everything.includes(secret), `a secret in the logs: ${secret.slice(0, 12)}…`).toBe(false);
  });
});
