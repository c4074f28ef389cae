// What one process knows it is responsible for: the sessions it holds (a live socket here, or a
// drop grace running here) with their memberships and P2Server params. Redis is shared and can
// lose its data (a restart without persistence); this copy lets the heartbeat refresh the keys
// of live sessions and write them again when they are gone, so a Redis restart does not log
// anybody out. It only mirrors writes this process made or saw succeed; changes made by other
// processes (a kick, a duplicate login) are learnt from the heartbeat, which drops them here.
import type { MemberRecord, ServerParams, SessionRecord } from '../types.js';

export interface OwnedSession {
  session: SessionRecord;
  /** roomId → membership of this session. */
  rooms: Map<string, MemberRecord>;
  params?: ServerParams;
}

const userKey = (appId: string, uid: string): string => appId + uid;

export class OwnedSessions {
  private readonly byUser = new Map<string, OwnedSession>();

  get size(): number {
    return this.byUser.size;
  }

  get(appId: string, uid: string): OwnedSession | undefined {
    return this.byUser.get(userKey(appId, uid));
  }

  /** Snapshot, safe to iterate while the mirror changes. */
  list(): OwnedSession[] {
    return [...this.byUser.values()];
  }

  /** A session this process now holds; a resume of the same sessionId keeps what it had. */
  put(session: SessionRecord, rooms?: Map<string, MemberRecord>, params?: ServerParams): void {
    const key = userKey(session.appId, session.uid);
    const previous = this.byUser.get(key);
    const same = previous?.session.sessionId === session.sessionId;
    this.byUser.set(key, {
      session: { ...session },
      rooms: rooms ?? (same ? previous.rooms : new Map()),
      params: params ?? (same ? previous.params : undefined),
    });
  }

  markDisconnected(appId: string, uid: string, sessionId: string, since: number): void {
    const owned = this.matching(appId, uid, sessionId);
    if (owned) {
      owned.session.connected = false;
      owned.session.since = since;
    }
  }

  /** Forgets the uid's session (only `sessionId` when given). */
  delete(appId: string, uid: string, sessionId?: string): void {
    const owned = this.get(appId, uid);
    if (owned && (sessionId === undefined || owned.session.sessionId === sessionId)) this.byUser.delete(userKey(appId, uid));
  }

  putMember(appId: string, roomId: string, member: MemberRecord): void {
    this.matching(appId, member.uid, member.sessionId)?.rooms.set(roomId, { ...member });
  }

  removeMember(appId: string, roomId: string, removed: MemberRecord): void {
    this.matching(appId, removed.uid, removed.sessionId)?.rooms.delete(roomId);
  }

  setParams(appId: string, sessionId: string, params: ServerParams | undefined): void {
    for (const owned of this.byUser.values()) {
      if (owned.session.appId === appId && owned.session.sessionId === sessionId) owned.params = params ? { ...params } : undefined;
    }
  }

  private matching(appId: string, uid: string, sessionId: string): OwnedSession | undefined {
    const owned = this.get(appId, uid);
    return owned?.session.sessionId === sessionId ? owned : undefined;
  }
}
