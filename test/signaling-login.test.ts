// Login with tokens (SPEC §6): what logs in, what is refused with which code, token:update.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../shared/limits.js';
import { PROTOCOL_VERSION, type LoginReply } from '../shared/protocol.js';
import { createToken } from '../shared/token.js';
import { request, startTestServer, TEST_APP_ID, TEST_APP_KEY, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ dropGraceMs: 300 });
});
afterEach(async () => {
  await t.close();
});

const login = (fields: Record<string, unknown>) => ({ appId: TEST_APP_ID, sessionId: randomUUID(), ...fields });

describe('login', () => {
  it('accepts a token from createToken and returns limits, grace and server time', async () => {
    const socket = await t.connect();
    const before = Date.now();
    const reply = await request<LoginReply>(socket, 'login', login({ uid: 'alice', token: t.token('alice') }));
    expect(reply).toMatchObject({ code: 0, limits: DEFAULT_LIMITS, dropGraceMs: 300 });
    expect(reply.serverTime).toBeGreaterThanOrEqual(before - 1000);
    expect(t.server.stats()).toMatchObject({ connections: 1, loggedIn: 1 });
  });

  it('accepts a token that expires in the future', async () => {
    const socket = await t.connect();
    const token = t.token('alice', { expireAt: Math.floor(Date.now() / 1000) + 60 });
    expect(await request(socket, 'login', login({ uid: 'alice', token }))).toMatchObject({ code: 0 });
  });

  it('refuses an expired token with InvalidToken', async () => {
    const socket = await t.connect();
    const now = Math.floor(Date.now() / 1000);
    const token = t.token('alice', { issuedAt: now - 100, expireAt: now - 1 });
    expect(await request(socket, 'login', login({ uid: 'alice', token }))).toEqual({ code: -1000 });
    expect(t.server.stats().loggedIn).toBe(0);
  });

  it('refuses a token signed with another key, for another user, or garbage', async () => {
    const socket = await t.connect();
    const wrongKey = createToken({ appId: TEST_APP_ID, appKey: 'not-the-key', userId: 'alice' });
    expect(await request(socket, 'login', login({ uid: 'alice', token: wrongKey }))).toEqual({ code: -1000 });
    expect(await request(socket, 'login', login({ uid: 'alice', token: t.token('bob') }))).toEqual({ code: -1000 });
    expect(await request(socket, 'login', login({ uid: 'alice', token: 'garbage' }))).toEqual({ code: -1000 });
    expect(await request(socket, 'login', login({ uid: 'alice', token: '' }))).toEqual({ code: -1000 });
  });

  it('accepts the protocol version of this build (and a login that names none); refuses another with LoginFailed', async () => {
    const socket = await t.connect();
    const other = await t.connect();
    expect(await request(socket, 'login', login({ uid: 'alice', token: t.token('alice'), protocol: PROTOCOL_VERSION }))).toMatchObject({ code: 0 });
    expect(await request(other, 'login', login({ uid: 'bob', token: t.token('bob'), protocol: PROTOCOL_VERSION + 1 }))).toEqual({ code: -1001 });
    expect(await request(other, 'login', login({ uid: 'bob', token: t.token('bob') }))).toMatchObject({ code: 0 });
    expect(t.server.stats().loggedIn).toBe(2);
  });

  it('refuses an unknown app with InvalidToken', async () => {
    const socket = await t.connect();
    const other = 'otherapp0000000000000000';
    const token = createToken({ appId: other, appKey: TEST_APP_KEY, userId: 'alice' });
    expect(await request(socket, 'login', { appId: other, uid: 'alice', token, sessionId: randomUUID() })).toEqual({ code: -1000 });
  });

  it('refuses a bad uid with InvalidUserId', async () => {
    const socket = await t.connect();
    for (const uid of ['', 'has space', 'a/b', 'x'.repeat(129), 'ünï']) {
      expect(await request(socket, 'login', login({ uid, token: t.token('alice') }))).toEqual({ code: -1002 });
    }
  });

  it('keeps an existing session when its token expires later (expiry does not end a session)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { socket } = await t.login('alice', { token: t.token('alice', { expireAt: now + 2 }) });
    await new Promise((r) => setTimeout(r, 2100));
    expect(await request(socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 1 });
  });

  it('serves several apps without mixing their users', async () => {
    const second = { appId: 'secondapp000000000000000', appKey: 'second-key' };
    const multi = await startTestServer({ apps: [{ appId: TEST_APP_ID, appKey: TEST_APP_KEY }, second] });
    try {
      await multi.login('alice');
      const other = await multi.connect();
      const token = createToken({ ...second, userId: 'bob' });
      expect(await request(other, 'login', { appId: second.appId, uid: 'bob', token, sessionId: randomUUID() })).toMatchObject({ code: 0 });
      // alice exists in the first app only.
      expect(await request(other, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 0 });
    } finally {
      await multi.close();
    }
  });
});

describe('token:update', () => {
  it('accepts a valid token for the same uid and refuses others', async () => {
    const { socket } = await t.login('alice');
    expect(await request(socket, 'token:update', { token: t.token('alice') })).toEqual({ code: 0 });
    expect(await request(socket, 'token:update', { token: t.token('bob') })).toEqual({ code: -1000 });
    const now = Math.floor(Date.now() / 1000);
    expect(await request(socket, 'token:update', { token: t.token('alice', { issuedAt: now - 10, expireAt: now - 1 }) })).toEqual({ code: -1000 });
  });

  it('needs a login first', async () => {
    const socket = await t.connect();
    expect(await request(socket, 'token:update', { token: t.token('alice') })).toEqual({ code: -1001 });
  });
});

describe('logout', () => {
  it('ends the session: presence offline, relays need a new login', async () => {
    const { socket } = await t.login('alice');
    const bob = await t.login('bob');
    expect(await request(socket, 'logout', {})).toEqual({ code: 0 });
    expect(await request(bob.socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 0 });
    expect(await request(socket, 'presence:query', { uid: 'bob' })).toEqual({ code: 105, status: 0 });
    expect(t.server.stats().loggedIn).toBe(1);
    // The socket can log in again.
    expect(await request(socket, 'login', login({ uid: 'alice', token: t.token('alice') }))).toMatchObject({ code: 0 });
  });
});
