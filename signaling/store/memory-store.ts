// The embedded default Store: plain maps in this process. Methods are async only to honour the
// Store seam; every one finishes in a single tick, so each call is atomic on its own.
import type { MemberRecord, ServerParams, SessionRecord, Store } from './types.js';

/** How often expired displaced sessionIds and contacts are swept. */
const SWEEP_INTERVAL_MS = 60_000;

// appId is exactly 24 printable characters (shared/token.ts), so `appId + key` cannot collide.
const scoped = (appId: string, key: string): string => appId + key;

export class MemoryStore implements Store {
  private readonly sessions = new Map<string, SessionRecord>();
  /** scoped(roomId) → uid → member; Map keeps insertion order = join order. */
  private readonly rooms = new Map<string, Map<string, MemberRecord>>();
  /** scoped(uid) → roomIds */
  private readonly userRooms = new Map<string, Set<string>>();
  /** scoped(sessionId) → expiresAt */
  private readonly displaced = new Map<string, number>();
  /** scoped(uid) → other uid → expiresAt */
  private readonly contacts = new Map<string, Map<string, number>>();
  private readonly serverParams = new Map<string, ServerParams>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  async getSession(appId: string, uid: string): Promise<SessionRecord | null> {
    const s = this.sessions.get(scoped(appId, uid));
    return s ? { ...s } : null;
  }

  async putSession(record: SessionRecord): Promise<void> {
    this.sessions.set(scoped(record.appId, record.uid), { ...record });
  }

  async markDisconnected(appId: string, uid: string, sessionId: string, socketId: string): Promise<boolean> {
    const s = this.sessions.get(scoped(appId, uid));
    if (!s || s.sessionId !== sessionId || s.socketId !== socketId || !s.connected) return false;
    s.connected = false;
    s.since = Date.now();
    return true;
  }

  async deleteSession(appId: string, uid: string, sessionId: string): Promise<boolean> {
    const key = scoped(appId, uid);
    if (this.sessions.get(key)?.sessionId !== sessionId) return false;
    this.sessions.delete(key);
    return true;
  }

  async addDisplacedSession(appId: string, sessionId: string, ttlMs: number): Promise<void> {
    this.displaced.set(scoped(appId, sessionId), Date.now() + ttlMs);
  }

  async isDisplacedSession(appId: string, sessionId: string): Promise<boolean> {
    const until = this.displaced.get(scoped(appId, sessionId));
    return until !== undefined && until > Date.now();
  }

  async putMember(appId: string, roomId: string, member: MemberRecord): Promise<MemberRecord | null> {
    const key = scoped(appId, roomId);
    let members = this.rooms.get(key);
    if (!members) this.rooms.set(key, (members = new Map()));
    const previous = members.get(member.uid) ?? null;
    members.set(member.uid, { ...member });
    const userKey = scoped(appId, member.uid);
    let rooms = this.userRooms.get(userKey);
    if (!rooms) this.userRooms.set(userKey, (rooms = new Set()));
    rooms.add(roomId);
    return previous;
  }

  async removeMember(appId: string, roomId: string, uid: string, sessionId?: string): Promise<MemberRecord | null> {
    const key = scoped(appId, roomId);
    const members = this.rooms.get(key);
    const member = members?.get(uid);
    if (!members || !member || (sessionId !== undefined && member.sessionId !== sessionId)) return null;
    members.delete(uid);
    if (members.size === 0) this.rooms.delete(key);
    this.forgetUserRoom(appId, uid, roomId);
    return member;
  }

  async getMember(appId: string, roomId: string, uid: string): Promise<MemberRecord | null> {
    const m = this.rooms.get(scoped(appId, roomId))?.get(uid);
    return m ? { ...m } : null;
  }

  async listMembers(appId: string, roomId: string): Promise<MemberRecord[]> {
    return [...(this.rooms.get(scoped(appId, roomId))?.values() ?? [])].map((m) => ({ ...m }));
  }

  async countMembers(appId: string, roomId: string): Promise<number> {
    return this.rooms.get(scoped(appId, roomId))?.size ?? 0;
  }

  async listUserRooms(appId: string, uid: string): Promise<string[]> {
    return [...(this.userRooms.get(scoped(appId, uid)) ?? [])];
  }

  async deleteRoom(appId: string, roomId: string): Promise<MemberRecord[]> {
    const key = scoped(appId, roomId);
    const members = [...(this.rooms.get(key)?.values() ?? [])];
    this.rooms.delete(key);
    for (const m of members) this.forgetUserRoom(appId, m.uid, roomId);
    return members;
  }

  async addContact(appId: string, a: string, b: string, ttlMs: number): Promise<void> {
    const until = Date.now() + ttlMs;
    this.contactsOf(appId, a).set(b, until);
    this.contactsOf(appId, b).set(a, until);
  }

  async areContacts(appId: string, a: string, b: string): Promise<boolean> {
    const until = this.contacts.get(scoped(appId, a))?.get(b);
    return until !== undefined && until > Date.now();
  }

  async clearContacts(appId: string, uid: string): Promise<void> {
    const key = scoped(appId, uid);
    for (const other of this.contacts.get(key)?.keys() ?? []) {
      const back = this.contacts.get(scoped(appId, other));
      back?.delete(uid);
      if (back?.size === 0) this.contacts.delete(scoped(appId, other));
    }
    this.contacts.delete(key);
  }

  async setServerParams(appId: string, sessionId: string, params: ServerParams): Promise<void> {
    this.serverParams.set(scoped(appId, sessionId), { ...params });
  }

  async getServerParams(appId: string, sessionId: string): Promise<ServerParams | null> {
    const p = this.serverParams.get(scoped(appId, sessionId));
    return p ? { ...p } : null;
  }

  async deleteServerParams(appId: string, sessionId: string): Promise<void> {
    this.serverParams.delete(scoped(appId, sessionId));
  }

  async counts(): Promise<{ sessions: number; rooms: number }> {
    return { sessions: this.sessions.size, rooms: this.rooms.size };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }

  private contactsOf(appId: string, uid: string): Map<string, number> {
    const key = scoped(appId, uid);
    let map = this.contacts.get(key);
    if (!map) this.contacts.set(key, (map = new Map()));
    return map;
  }

  private forgetUserRoom(appId: string, uid: string, roomId: string): void {
    const userKey = scoped(appId, uid);
    const rooms = this.userRooms.get(userKey);
    rooms?.delete(roomId);
    if (rooms?.size === 0) this.userRooms.delete(userKey);
  }

  private sweep(now: number): void {
    for (const [k, until] of this.displaced) if (until <= now) this.displaced.delete(k);
    for (const [k, map] of this.contacts) {
      for (const [other, until] of map) if (until <= now) map.delete(other);
      if (map.size === 0) this.contacts.delete(k);
    }
  }
}
