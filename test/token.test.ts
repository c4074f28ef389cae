// The "001" token must stay byte-compatible with the original vendor format (SPEC §6): a token an
// app's existing generator builds from the byte layout has to verify here, and ours has to have
// exactly that layout.
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createToken, parseToken, verifyToken } from '../shared/token.js';

const appId = '0123456789abcdef01234567';
const appKey = 'secret-app-key';

/** An independent writer of the layout: "001" + appId + base64(pack(msg) ‖ pack(HMAC(appKey, msg))). */
function handMadeToken(o: { nonce: number; issuedAt: number; expireAt: number; roomId: string; userId: string; privileges: [number, number][] }, key = appKey, id = appId): string {
  const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
  const str = (s: string) => Buffer.concat([u16(Buffer.byteLength(s)), Buffer.from(s)]);
  const privs = [...o.privileges].sort((a, b) => a[0] - b[0]);
  const msg = Buffer.concat([
    u32(o.nonce), u32(o.issuedAt), u32(o.expireAt), str(o.roomId), str(o.userId),
    u16(privs.length), ...privs.flatMap(([pid, exp]) => [u16(pid), u32(exp)]),
  ]);
  const sig = createHmac('sha256', key).update(msg).digest();
  const body = Buffer.concat([u16(msg.length), msg, u16(sig.length), sig]);
  return '001' + id + body.toString('base64');
}

const now = Math.floor(Date.now() / 1000);
const fields = { nonce: 0xdeadbeef, issuedAt: now, expireAt: now + 3600, roomId: '', userId: 'alice', privileges: [[4, now + 3600], [0, now + 3600]] as [number, number][] };

describe('token "001" format', () => {
  it('a token built by hand from the byte layout verifies', () => {
    const check = verifyToken(handMadeToken(fields), { appId, appKey, userId: 'alice' });
    expect(check.ok).toBe(true);
    if (check.ok) {
      expect(check.payload.nonce).toBe(0xdeadbeef);
      expect(check.payload.userId).toBe('alice');
      expect([...check.payload.privileges.keys()]).toEqual([0, 4]);
    }
  });

  it('createToken writes exactly the byte layout (same inputs → same token)', () => {
    const ours = createToken({ appId, appKey, userId: 'alice', nonce: fields.nonce, issuedAt: now, expireAt: now + 3600,
      privileges: new Map([[0, now + 3600], [4, now + 3600]]) });
    expect(ours).toBe(handMadeToken(fields));
  });

  it('createToken defaults: publish (0,1,2,3) and subscribe (4), empty room, never expires', () => {
    const parsed = parseToken(createToken({ appId, appKey, userId: 'bob' }))!;
    expect(parsed.appId).toBe(appId);
    expect(parsed.payload.roomId).toBe('');
    expect(parsed.payload.expireAt).toBe(0);
    expect([...parsed.payload.privileges.keys()]).toEqual([0, 1, 2, 3, 4]);
  });

  it('tampered, expired, wrong-app, wrong-user and malformed tokens fail', () => {
    const good = handMadeToken(fields);
    const raw = Buffer.from(good.slice(27), 'base64');
    raw[20] ^= 0x01; // a byte inside msg: the signature no longer matches
    expect(verifyToken('001' + appId + raw.toString('base64'), { appId, appKey })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyToken(good, { appId, appKey: 'other-key' })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyToken(handMadeToken({ ...fields, expireAt: now - 1 }), { appId, appKey })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyToken(handMadeToken(fields, appKey, 'ffffffffffffffffffffffff'), { appId, appKey })).toEqual({ ok: false, reason: 'wrong-app' });
    expect(verifyToken(good, { appId, appKey, userId: 'mallory' })).toEqual({ ok: false, reason: 'wrong-user' });
    for (const bad of ['', '001', '002' + good.slice(3), good.slice(0, 40), good + 'AAAA', 42, null, '001' + appId + '!!!!']) {
      expect(verifyToken(bad, { appId, appKey }).ok).toBe(false);
    }
  });

  it('expireAt 0 never expires; an expiry in the future is accepted', () => {
    expect(verifyToken(handMadeToken({ ...fields, expireAt: 0 }), { appId, appKey, now: 2 ** 32 - 1 }).ok).toBe(true);
    expect(verifyToken(handMadeToken(fields), { appId, appKey, now: now + 3599 }).ok).toBe(true);
    expect(verifyToken(handMadeToken(fields), { appId, appKey, now: now + 3600 }).ok).toBe(false);
  });

  it('createToken refuses an appId that is not 24 characters', () => {
    expect(() => createToken({ appId: 'short', appKey, userId: 'a' })).toThrow(/24/);
  });

  it('the rtsmesh-token CLI prints a token that verifies', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'signaling/cli/token-cli.ts', '--app-id', appId, '--app-key', appKey, '--uid', 'carol', '--expire', '60'],
      { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8' }).trim();
    const check = verifyToken(out, { appId, appKey, userId: 'carol' });
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.payload.expireAt).toBeGreaterThan(now);
  });
});
