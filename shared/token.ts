// The "001" AccessToken of SPEC §6, byte-compatible with the original vendor format so an app's
// existing token generator keeps working:
//   "001" + appId (24 chars) + base64( pack(msg) ‖ pack(signature) )
// little-endian; pack(x) = uint16 length ‖ bytes; signature = HMAC-SHA256(appKey, msg).
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export const TOKEN_VERSION = '001';
export const APP_ID_LENGTH = 24;

/** Privilege ids inside the token. publish implies the three ids after it. */
export enum Privilege {
  Publish = 0,
  PublishAudio = 1,
  PublishVideo = 2,
  PublishData = 3,
  Subscribe = 4,
}

export interface TokenPayload {
  nonce: number;
  /** Unix seconds. */
  issuedAt: number;
  /** Unix seconds; 0 = never expires. */
  expireAt: number;
  /** Empty for a login token; a room id or `*` for a room token. */
  roomId: string;
  userId: string;
  /** privilege id → expireAt (unix seconds, 0 = never), ascending by id on the wire. */
  privileges: Map<number, number>;
}

export interface CreateTokenOptions {
  appId: string;
  appKey: string;
  userId: string;
  roomId?: string;
  /** Unix seconds; 0 (default) = never. */
  expireAt?: number;
  /** Unix seconds; default now. */
  issuedAt?: number;
  /** Default random uint32. */
  nonce?: number;
  /** Default: publish and subscribe, both until expireAt. */
  privileges?: { publish?: number; subscribe?: number } | Map<number, number>;
}

export function createToken(opts: CreateTokenOptions): string {
  assertAppId(opts.appId);
  if (!opts.appKey) throw new TypeError('createToken: appKey is required');
  if (!opts.userId) throw new TypeError('createToken: userId is required');
  const expireAt = opts.expireAt ?? 0;
  const payload: TokenPayload = {
    nonce: opts.nonce ?? randomInt(0, 2 ** 32),
    issuedAt: opts.issuedAt ?? Math.floor(Date.now() / 1000),
    expireAt,
    roomId: opts.roomId ?? '',
    userId: opts.userId,
    privileges: privilegeMap(opts.privileges, expireAt),
  };
  const msg = encodeTokenMessage(payload);
  const signature = createHmac('sha256', opts.appKey).update(msg).digest();
  const body = Buffer.concat([pack(msg), pack(signature)]);
  return TOKEN_VERSION + opts.appId + body.toString('base64');
}

function privilegeMap(p: CreateTokenOptions['privileges'], expireAt: number): Map<number, number> {
  if (p instanceof Map) return new Map(p);
  const { publish = expireAt, subscribe = expireAt } = p ?? {};
  const map = new Map<number, number>();
  if (p === undefined || p.publish !== undefined) {
    for (const id of [Privilege.Publish, Privilege.PublishAudio, Privilege.PublishVideo, Privilege.PublishData]) {
      map.set(id, publish);
    }
  }
  if (p === undefined || p.subscribe !== undefined) map.set(Privilege.Subscribe, subscribe);
  return map;
}

export function encodeTokenMessage(p: TokenPayload): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt32LE(p.nonce >>> 0, 0);
  head.writeUInt32LE(p.issuedAt >>> 0, 4);
  head.writeUInt32LE(p.expireAt >>> 0, 8);
  const ids = [...p.privileges.keys()].sort((a, b) => a - b);
  const privs = Buffer.alloc(2 + ids.length * 6);
  privs.writeUInt16LE(ids.length, 0);
  ids.forEach((id, i) => {
    privs.writeUInt16LE(id, 2 + i * 6);
    privs.writeUInt32LE(p.privileges.get(id)! >>> 0, 4 + i * 6);
  });
  return Buffer.concat([head, pack(Buffer.from(p.roomId, 'utf8')), pack(Buffer.from(p.userId, 'utf8')), privs]);
}

function pack(bytes: Buffer): Buffer {
  if (bytes.length > 0xffff) throw new RangeError('token field too long');
  const len = Buffer.alloc(2);
  len.writeUInt16LE(bytes.length, 0);
  return Buffer.concat([len, bytes]);
}

/** Reads the byte layout; throws a RangeError on anything malformed. */
class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  u16(): number { this.need(2); const v = this.buf.readUInt16LE(this.at); this.at += 2; return v; }
  u32(): number { this.need(4); const v = this.buf.readUInt32LE(this.at); this.at += 4; return v; }
  packed(): Buffer { const n = this.u16(); this.need(n); const v = this.buf.subarray(this.at, this.at + n); this.at += n; return v; }
  get done(): boolean { return this.at === this.buf.length; }
  private need(n: number): void { if (this.at + n > this.buf.length) throw new RangeError('token truncated'); }
}

export interface ParsedToken {
  appId: string;
  payload: TokenPayload;
  /** The exact signed bytes and the signature, for verification. */
  message: Buffer;
  signature: Buffer;
}

/** Parses without checking the signature. Returns null on any malformed input. */
export function parseToken(token: unknown): ParsedToken | null {
  if (typeof token !== 'string' || token.length <= 3 + APP_ID_LENGTH || token.length > 4096) return null;
  if (!token.startsWith(TOKEN_VERSION)) return null;
  const appId = token.slice(3, 3 + APP_ID_LENGTH);
  const b64 = token.slice(3 + APP_ID_LENGTH);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  try {
    const outer = new Reader(Buffer.from(b64, 'base64'));
    const message = outer.packed();
    const signature = outer.packed();
    if (!outer.done) return null;
    const r = new Reader(message);
    const nonce = r.u32();
    const issuedAt = r.u32();
    const expireAt = r.u32();
    const roomId = r.packed().toString('utf8');
    const userId = r.packed().toString('utf8');
    const count = r.u16();
    const privileges = new Map<number, number>();
    for (let i = 0; i < count; i++) privileges.set(r.u16(), r.u32());
    if (!r.done) return null;
    return { appId, message, signature, payload: { nonce, issuedAt, expireAt, roomId, userId, privileges } };
  } catch {
    return null;
  }
}

export type TokenCheck =
  | { ok: true; payload: TokenPayload }
  | { ok: false; reason: 'malformed' | 'wrong-app' | 'bad-signature' | 'wrong-user' | 'expired' };

export interface VerifyTokenOptions {
  appId: string;
  appKey: string;
  /** When given, the token must name this user. */
  userId?: string;
  /** Unix seconds; default now. */
  now?: number;
}

export function verifyToken(token: unknown, opts: VerifyTokenOptions): TokenCheck {
  const parsed = parseToken(token);
  if (!parsed) return { ok: false, reason: 'malformed' };
  if (parsed.appId !== opts.appId) return { ok: false, reason: 'wrong-app' };
  const expected = createHmac('sha256', opts.appKey).update(parsed.message).digest();
  if (parsed.signature.length !== expected.length || !timingSafeEqual(parsed.signature, expected)) {
    return { ok: false, reason: 'bad-signature' };
  }
  const { payload } = parsed;
  if (opts.userId !== undefined && payload.userId !== opts.userId) return { ok: false, reason: 'wrong-user' };
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (payload.expireAt !== 0 && payload.expireAt <= now) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}

export function assertAppId(appId: string): void {
  if (typeof appId !== 'string' || appId.length !== APP_ID_LENGTH || !/^[\x21-\x7e]+$/.test(appId)) {
    throw new RangeError(`appId must be ${APP_ID_LENGTH} printable ASCII characters, got ${JSON.stringify(appId)}`);
  }
}
