// Names of every Redis key the scale-out uses, in one place. All start with the configured prefix;
// app-scoped ones then carry the appId, which has a fixed length of 24 (shared/token.ts), so
// `appId + id` can never collide between apps or be split ambiguously.
//
// Lua scripts build some keys from a prefix plus an id they read (a room of a user, a node's
// set); those prefixes come from here too. Keys built inside scripts mean Redis Cluster is not
// supported: use one Redis server (or a primary with replicas / Sentinel).

export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** HASH app uid sid sock node conn since: the session of a uid (presence), expires after ttlMs. */
  session(appId: string, uid: string): string {
    return `${this.prefix}s:${appId}${uid}`;
  }

  /** HASH uid → "<seq>:<MemberRecord JSON>"; seq orders members by join. */
  room(appId: string, roomId: string): string {
    return this.roomPrefix(appId) + roomId;
  }

  roomPrefix(appId: string): string {
    return `${this.prefix}r:${appId}`;
  }

  /** SET of roomIds the uid is a member of. */
  userRooms(appId: string, uid: string): string {
    return this.userRoomsPrefix(appId) + uid;
  }

  userRoomsPrefix(appId: string): string {
    return `${this.prefix}ur:${appId}`;
  }

  /** STRING, a sessionId displaced by a newer login (expires after displacedSessionTtlMs). */
  displaced(appId: string, sessionId: string): string {
    return `${this.prefix}d:${appId}${sessionId}`;
  }

  /** ZSET other uid → expiry (unix ms). */
  contacts(appId: string, uid: string): string {
    return this.contactsPrefix(appId) + uid;
  }

  contactsPrefix(appId: string): string {
    return `${this.prefix}c:${appId}`;
  }

  /** HASH signature url of one session. */
  serverParams(appId: string, sessionId: string): string {
    return `${this.prefix}p:${appId}${sessionId}`;
  }

  /** STRING counter giving members their join order. */
  get joinSeq(): string {
    return `${this.prefix}seq`;
  }

  /** STRING, random, created when missing: a new value means Redis lost its data (restart without persistence). */
  get epoch(): string {
    return `${this.prefix}epoch`;
  }

  /** ZSET nodeId → deadline (Redis time ms): past it, the node is dead. */
  get nodes(): string {
    return `${this.prefix}nodes`;
  }

  /** HASH appId+uid → sessionId: the sessions a node owns, read when it dies. */
  nodeSessions(nodeId: string): string {
    return this.nodeSessionsPrefix + nodeId;
  }

  get nodeSessionsPrefix(): string {
    return `${this.prefix}ns:`;
  }

  /** STRING, held by the one survivor that reaps a dead node. */
  reapLock(nodeId: string): string {
    return `${this.prefix}reap:${nodeId}`;
  }

  /** STRING, a per-uid lock across processes (see cluster-lock.ts). */
  lock(key: string): string {
    return `${this.prefix}lock:${key}`;
  }

  /** ZSET appId+uid → expiry, for counts(). */
  get sessionIndex(): string {
    return `${this.prefix}idx:s`;
  }

  /** ZSET appId+roomId → expiry, for counts(). */
  get roomIndex(): string {
    return `${this.prefix}idx:r`;
  }

  /** The socket.io Redis Streams adapter's stream and channel names. */
  get stream(): string {
    return `${this.prefix}socket.io`;
  }
}
