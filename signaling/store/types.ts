// The one seam between the signaling logic and where its shared state lives. Everything another
// signaling process would need to see (sessions, presence, room membership, contacts, P2Server
// params) goes through this interface; process-local things (timers, sockets, rate-limit buckets)
// never do. The default is MemoryStore (one process); a Redis implementation plugs in here with
// expiring keys, while routing goes through socket.io rooms and its Redis adapter.
//
// Every key is scoped by appId: several apps can share one server without seeing each other.

/** A logged-in session of one uid. There is at most one per (appId, uid). */
export interface SessionRecord {
  appId: string;
  uid: string;
  /** Random per client engine; a login with the same sessionId resumes this session. */
  sessionId: string;
  /** socket.io id of the socket currently (or last) carrying this session. */
  socketId: string;
  /** Which signaling process holds that socket (see SignalingServer nodeId). */
  nodeId: string;
  /** false while in the drop grace period: presence is Unreachable. */
  connected: boolean;
  /** Unix ms of the login or of the disconnect, whichever happened last. */
  since: number;
}

export interface MemberRecord {
  uid: string;
  /** The session that joined; a join from another session of the same uid replaces it (-1004). */
  sessionId: string;
  extraInfo: string;
  joinedAt: number;
}

/** setServerParams of one session (SPEC §7). */
export interface ServerParams {
  signature: string;
  url: string;
}

export interface Store {
  getSession(appId: string, uid: string): Promise<SessionRecord | null>;
  /** Creates or replaces the session of record.uid. */
  putSession(record: SessionRecord): Promise<void>;
  /**
   * Marks the session disconnected, only if it is still `sessionId` carried by `socketId` (a
   * resume on another socket must not be undone by the old socket's late disconnect).
   * Returns whether it changed anything.
   */
  markDisconnected(appId: string, uid: string, sessionId: string, socketId: string): Promise<boolean>;
  /** Deletes the session only if it is still `sessionId`. Returns whether it did. */
  deleteSession(appId: string, uid: string, sessionId: string): Promise<boolean>;

  /** A sessionId replaced by a later login of the same uid; remembered for `ttlMs`. */
  addDisplacedSession(appId: string, sessionId: string, ttlMs: number): Promise<void>;
  isDisplacedSession(appId: string, sessionId: string): Promise<boolean>;

  /** Adds or replaces a member. Returns the record it replaced, if any. */
  putMember(appId: string, roomId: string, member: MemberRecord): Promise<MemberRecord | null>;
  /**
   * Removes a member; with `sessionId`, only if the membership belongs to that session.
   * Returns the removed record. A room without members ceases to exist.
   */
  removeMember(appId: string, roomId: string, uid: string, sessionId?: string): Promise<MemberRecord | null>;
  getMember(appId: string, roomId: string, uid: string): Promise<MemberRecord | null>;
  /** Members in join order. */
  listMembers(appId: string, roomId: string): Promise<MemberRecord[]>;
  /** How many members the room has (what a relayed broadcast reaches, without listing them). */
  countMembers(appId: string, roomId: string): Promise<number>;
  /** Rooms the uid is a member of. */
  listUserRooms(appId: string, uid: string): Promise<string[]>;
  /** Removes the room and returns who was in it. */
  deleteRoom(appId: string, roomId: string): Promise<MemberRecord[]>;

  /** a and b exchanged P2P messages outside rooms: they may now exchange WebRTC signals. Symmetric. */
  addContact(appId: string, a: string, b: string, ttlMs: number): Promise<void>;
  areContacts(appId: string, a: string, b: string): Promise<boolean>;
  /** Forgets every contact of uid (both directions). */
  clearContacts(appId: string, uid: string): Promise<void>;

  setServerParams(appId: string, sessionId: string, params: ServerParams): Promise<void>;
  getServerParams(appId: string, sessionId: string): Promise<ServerParams | null>;
  deleteServerParams(appId: string, sessionId: string): Promise<void>;

  /** Counts for stats()/metrics, of the whole store (all processes for a shared store). */
  counts(): Promise<{ sessions: number; rooms: number }>;

  close(): Promise<void>;
}
