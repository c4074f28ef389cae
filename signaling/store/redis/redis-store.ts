// The shared Store of several signaling processes (SPEC §11), in Redis through ioredis.
// Presence keys expire (ttlMs) unless the owning process's heartbeat refreshes them, so a crashed
// process's users go offline by themselves; membership keys live longer (RETENTION_FACTOR × ttlMs)
// so a survivor can still announce them as Dropped (see scale-out/cluster-node.ts). Multi-key
// updates are Lua scripts (redis-scripts.ts), atomic across processes.
//
// Every call can reject while Redis is unreachable (no offline queue, a command timeout): the
// handlers turn that into an error reply, and the heartbeat repairs what a failed call left behind.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { OwnedSessions, type OwnedSession } from './owned-sessions.js';
import { RedisKeys } from './redis-keys.js';
import { defineScripts, runScript, type ScriptName } from './redis-scripts.js';
import type { MemberRecord, ServerParams, SessionRecord, Store } from '../types.js';

/** Membership, node-session and P2Server-param keys live this many times ttlMs. */
export const RETENTION_FACTOR = 10;
/** Sessions refreshed per pipeline round trip in a heartbeat. */
const HEARTBEAT_BATCH = 200;

export interface RedisStoreOptions {
  /** A connected client, used by this store only (its own connection: scripts and no pub/sub). */
  redis: Redis;
  /** Key prefix, e.g. 'rtsmesh:'. */
  keyPrefix: string;
  /** This process (SessionRecord.nodeId). */
  nodeId: string;
  /** Expiry of presence keys and of this node's liveness, in ms. */
  ttlMs: number;
  /** Quit the client in close(). Default true. */
  ownsClient?: boolean;
}

export interface HeartbeatResult {
  /** Sessions this process held that now belong to someone else or were ended elsewhere. */
  lost: SessionRecord[];
  /** True when Redis had lost its data and this heartbeat wrote the sessions again. */
  reasserted: boolean;
}

export interface DeadNode {
  nodeId: string;
  /** Redis time (ms) after which the node counted as dead; it last beat at deadline - ttlMs. */
  deadline: number;
}

type Reply = Array<string | number | null>;

const sessionArgs = (s: SessionRecord): string[] => [s.appId, s.uid, s.sessionId, s.socketId, s.nodeId, s.connected ? '1' : '0', String(s.since)];

function parseMember(value: string): MemberRecord {
  const record = JSON.parse(value.slice(value.indexOf(':') + 1)) as MemberRecord;
  return { uid: record.uid, sessionId: record.sessionId, extraInfo: record.extraInfo, joinedAt: record.joinedAt };
}

const memberJson = (m: MemberRecord): string => JSON.stringify({ uid: m.uid, sessionId: m.sessionId, extraInfo: m.extraInfo, joinedAt: m.joinedAt });
const seqOf = (value: string): number => Number(value.slice(0, value.indexOf(':')));

/** roomId, value pairs from a script reply, from index `from`. */
function roomPairs(reply: Reply, from: number): Map<string, MemberRecord> {
  const rooms = new Map<string, MemberRecord>();
  for (let i = from; i + 1 < reply.length; i += 2) rooms.set(String(reply[i]), parseMember(String(reply[i + 1])));
  return rooms;
}

function paramsAt(reply: Reply, at: number): ServerParams | undefined {
  return Number(reply[at]) === 1 ? { signature: String(reply[at + 1]), url: String(reply[at + 2]) } : undefined;
}

export class RedisStore implements Store {
  readonly keys: RedisKeys;
  readonly nodeId: string;
  readonly ttlMs: number;
  readonly retentionMs: number;
  private readonly redis: Redis;
  private readonly ownsClient: boolean;
  private readonly owned = new OwnedSessions();
  /** The Redis data generation this process last wrote its sessions into. */
  private epoch: string | undefined;

  constructor(opts: RedisStoreOptions) {
    this.redis = opts.redis;
    this.keys = new RedisKeys(opts.keyPrefix);
    this.nodeId = opts.nodeId;
    this.ttlMs = opts.ttlMs;
    this.retentionMs = opts.ttlMs * RETENTION_FACTOR;
    this.ownsClient = opts.ownsClient ?? true;
    defineScripts(this.redis);
  }

  /** The client, for the cluster lock (same connection, same failure behaviour). */
  get client(): Redis {
    return this.redis;
  }

  private script(name: ScriptName, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    return runScript(this.redis, name, keys, args);
  }

  // ---- sessions --------------------------------------------------------------------------

  async getSession(appId: string, uid: string): Promise<SessionRecord | null> {
    const h = await this.redis.hgetall(this.keys.session(appId, uid));
    if (!h.sid) return null;
    return { appId, uid, sessionId: h.sid, socketId: h.sock ?? '', nodeId: h.node ?? '', connected: h.conn === '1', since: Number(h.since) };
  }

  async putSession(record: SessionRecord): Promise<void> {
    const { appId, uid } = record;
    const k = this.keys;
    const reply = (await this.script(
      'rtsPutSession',
      [k.session(appId, uid), k.nodeSessions(record.nodeId), k.sessionIndex, k.userRooms(appId, uid), k.serverParams(appId, record.sessionId)],
      [...sessionArgs(record), this.ttlMs, this.retentionMs, appId + uid, k.nodeSessionsPrefix, k.roomPrefix(appId)],
    )) as Reply;
    if (record.nodeId === this.nodeId) this.owned.put(record, roomPairs(reply, 3), paramsAt(reply, 0));
    else this.owned.delete(appId, uid);
  }

  async markDisconnected(appId: string, uid: string, sessionId: string, socketId: string): Promise<boolean> {
    const since = Date.now();
    const changed = (await this.script('rtsMarkDisconnected', [this.keys.session(appId, uid)], [sessionId, socketId, since])) === 1;
    if (changed) this.owned.markDisconnected(appId, uid, sessionId, since);
    return changed;
  }

  async deleteSession(appId: string, uid: string, sessionId: string): Promise<boolean> {
    const k = this.keys;
    const deleted = (await this.script('rtsDeleteSession', [k.session(appId, uid), k.sessionIndex], [sessionId, appId + uid, k.nodeSessionsPrefix])) === 1;
    // Ended either way: whatever Redis says, this process no longer holds that session.
    this.owned.delete(appId, uid, sessionId);
    return deleted;
  }

  async addDisplacedSession(appId: string, sessionId: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.keys.displaced(appId, sessionId), '1', 'PX', Math.max(1, ttlMs));
  }

  async isDisplacedSession(appId: string, sessionId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.displaced(appId, sessionId))) === 1;
  }

  // ---- rooms -----------------------------------------------------------------------------

  async putMember(appId: string, roomId: string, member: MemberRecord): Promise<MemberRecord | null> {
    const k = this.keys;
    const old = (await this.script(
      'rtsPutMember',
      [k.room(appId, roomId), k.userRooms(appId, member.uid), k.joinSeq, k.roomIndex],
      [member.uid, memberJson(member), roomId, this.retentionMs, appId + roomId],
    )) as string;
    this.owned.putMember(appId, roomId, member);
    return old ? parseMember(old) : null;
  }

  async removeMember(appId: string, roomId: string, uid: string, sessionId?: string): Promise<MemberRecord | null> {
    const k = this.keys;
    const removed = (await this.script(
      'rtsRemoveMember',
      [k.room(appId, roomId), k.userRooms(appId, uid), k.roomIndex],
      [uid, sessionId ?? '', roomId, appId + roomId],
    )) as string;
    if (!removed) return null;
    const member = parseMember(removed);
    this.owned.removeMember(appId, roomId, member);
    return member;
  }

  async getMember(appId: string, roomId: string, uid: string): Promise<MemberRecord | null> {
    const value = await this.redis.hget(this.keys.room(appId, roomId), uid);
    return value ? parseMember(value) : null;
  }

  async listMembers(appId: string, roomId: string): Promise<MemberRecord[]> {
    const all = await this.redis.hgetall(this.keys.room(appId, roomId));
    return Object.values(all)
      .sort((a, b) => seqOf(a) - seqOf(b))
      .map(parseMember);
  }

  async countMembers(appId: string, roomId: string): Promise<number> {
    return this.redis.hlen(this.keys.room(appId, roomId));
  }

  async listUserRooms(appId: string, uid: string): Promise<string[]> {
    return this.redis.smembers(this.keys.userRooms(appId, uid));
  }

  async deleteRoom(appId: string, roomId: string): Promise<MemberRecord[]> {
    const k = this.keys;
    const flat = (await this.script('rtsDeleteRoom', [k.room(appId, roomId), k.roomIndex], [roomId, k.userRoomsPrefix(appId), appId + roomId])) as string[];
    const values: string[] = [];
    for (let i = 1; i < flat.length; i += 2) values.push(flat[i]);
    const members = values.sort((a, b) => seqOf(a) - seqOf(b)).map(parseMember);
    for (const m of members) this.owned.removeMember(appId, roomId, m);
    return members;
  }

  // ---- contacts and P2Server params ------------------------------------------------------

  async addContact(appId: string, a: string, b: string, ttlMs: number): Promise<void> {
    await this.script('rtsAddContact', [this.keys.contacts(appId, a), this.keys.contacts(appId, b)], [a, b, Math.max(1, ttlMs)]);
  }

  async areContacts(appId: string, a: string, b: string): Promise<boolean> {
    return (await this.script('rtsAreContacts', [this.keys.contacts(appId, a)], [b])) === 1;
  }

  async clearContacts(appId: string, uid: string): Promise<void> {
    await this.script('rtsClearContacts', [this.keys.contacts(appId, uid)], [uid, this.keys.contactsPrefix(appId)]);
  }

  async setServerParams(appId: string, sessionId: string, params: ServerParams): Promise<void> {
    const key = this.keys.serverParams(appId, sessionId);
    const result = await this.redis.multi().hset(key, 'signature', params.signature, 'url', params.url).pexpire(key, this.retentionMs).exec();
    const failed = result?.find(([err]) => err);
    if (failed) throw failed[0];
    this.owned.setParams(appId, sessionId, params);
  }

  async getServerParams(appId: string, sessionId: string): Promise<ServerParams | null> {
    const [signature, url] = await this.redis.hmget(this.keys.serverParams(appId, sessionId), 'signature', 'url');
    return signature !== null && url !== null ? { signature, url } : null;
  }

  async deleteServerParams(appId: string, sessionId: string): Promise<void> {
    await this.redis.del(this.keys.serverParams(appId, sessionId));
    this.owned.setParams(appId, sessionId, undefined);
  }

  async counts(): Promise<{ sessions: number; rooms: number }> {
    const [sessions, rooms] = (await this.script('rtsCounts', [this.keys.sessionIndex, this.keys.roomIndex], [])) as number[];
    return { sessions: Number(sessions), rooms: Number(rooms) };
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  // ---- scale-out: heartbeat, dead nodes, shutdown -----------------------------------------

  /** The sessions this process holds (a snapshot). */
  ownedSessions(): OwnedSession[] {
    return this.owned.list();
  }

  /** The session of uid this process holds, if any. */
  ownedSession(appId: string, uid: string): SessionRecord | undefined {
    const owned = this.owned.get(appId, uid);
    return owned ? { ...owned.session } : undefined;
  }

  /**
   * Marks this node alive for ttlMs more and refreshes the keys of every session it holds; when
   * Redis lost its data since the last heartbeat (a new epoch), writes them again. Rejects when
   * Redis is unreachable (nothing is forgotten then; the next heartbeat tries again).
   */
  async heartbeat(): Promise<HeartbeatResult> {
    const k = this.keys;
    const [epoch] = (await this.script('rtsNodeBeat', [k.nodes, k.epoch, k.sessionIndex, k.roomIndex], [this.nodeId, this.ttlMs, randomUUID()])) as [string, number];
    const previous = this.epoch;
    const reassert = epoch !== previous;
    const lost: SessionRecord[] = [];
    const owned = this.owned.list();
    for (let i = 0; i < owned.length; i += HEARTBEAT_BATCH) {
      const batch = owned.slice(i, i + HEARTBEAT_BATCH);
      const pipeline = this.redis.pipeline();
      // The memberships each beat covered, to tell a removal seen by Redis from a rejoin made since.
      const sent = batch.map((o) => this.queueSessionBeat(pipeline, o, epoch, reassert));
      const results = (await pipeline.exec()) ?? [];
      for (let j = 0; j < batch.length; j++) {
        const [err, reply] = results[j] ?? [new Error('no reply'), null];
        if (err) throw err;
        const r = reply as Reply;
        // Redis restarted in the middle of this heartbeat: do not mistake its empty keys for
        // sessions ended elsewhere; the next heartbeat writes them again.
        if (Number(r[0]) === 2) return { lost, reasserted: false };
        const o = batch[j];
        const { appId, uid, sessionId } = o.session;
        if (Number(r[0]) === 0) {
          // Still ours only if nothing changed it meanwhile (a resume handled here after the batch was read).
          if (this.owned.get(appId, uid) === o) {
            this.owned.delete(appId, uid, sessionId);
            lost.push({ ...o.session });
          }
          continue;
        }
        for (let x = 1; x < r.length; x++) {
          const roomId = String(r[x]);
          if (o.rooms.get(roomId) === sent[j].get(roomId)) o.rooms.delete(roomId);
        }
      }
    }
    this.epoch = epoch;
    return { lost, reasserted: reassert && previous !== undefined };
  }

  private queueSessionBeat(pipeline: object, o: OwnedSession, epoch: string, reassert: boolean): Map<string, MemberRecord> {
    const k = this.keys;
    const s = o.session;
    const rooms: string[] = [];
    const sent = new Map(o.rooms);
    for (const [roomId, m] of sent) rooms.push(roomId, memberJson(m));
    runScript(
      pipeline,
      'rtsSessionBeat',
      [k.session(s.appId, s.uid), k.userRooms(s.appId, s.uid), k.nodeSessions(this.nodeId), k.sessionIndex, k.serverParams(s.appId, s.sessionId), k.roomIndex, k.epoch, k.joinSeq],
      [
        epoch, reassert ? '1' : '0', ...sessionArgs(s).slice(0, 4), this.nodeId, s.connected ? '1' : '0', String(s.since),
        this.ttlMs, this.retentionMs, s.appId + s.uid, k.roomPrefix(s.appId), s.appId,
        o.params ? '1' : '0', o.params?.signature ?? '', o.params?.url ?? '', ...rooms,
      ],
    );
    return sent;
  }

  /** Other nodes past their deadline (their last heartbeat is more than ttlMs old), and Redis's clock. */
  async deadNodes(): Promise<{ now: number; dead: DeadNode[] }> {
    const [now, flat] = (await this.script('rtsDeadNodes', [this.keys.nodes], [this.nodeId, this.retentionMs])) as [number, string[]];
    const dead: DeadNode[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) dead.push({ nodeId: flat[i], deadline: Number(flat[i + 1]) });
    return { now: Number(now), dead };
  }

  /**
   * Claims a dead node (only one survivor wins, for one ttlMs) and takes over its sessions as
   * disconnected ones held here. Returns the adopted sessions, or null when another survivor
   * has the claim. Each adoption is atomic: a session that resumed elsewhere is left alone.
   */
  async reapNode(node: DeadNode): Promise<SessionRecord[] | null> {
    const k = this.keys;
    const claimed = await this.redis.set(k.reapLock(node.nodeId), this.nodeId, 'PX', this.ttlMs, 'NX');
    if (claimed !== 'OK') return null;
    const entries = await this.redis.hgetall(k.nodeSessions(node.nodeId));
    const diedAt = node.deadline - this.ttlMs;
    const adopted: SessionRecord[] = [];
    for (const [appUid, sessionId] of Object.entries(entries)) {
      const appId = appUid.slice(0, 24);
      const uid = appUid.slice(24);
      const reply = (await this.script(
        'rtsAdopt',
        [k.session(appId, uid), k.nodeSessions(node.nodeId), k.nodeSessions(this.nodeId), k.sessionIndex, k.userRooms(appId, uid), k.serverParams(appId, sessionId)],
        [appId, uid, sessionId, node.nodeId, this.nodeId, diedAt, this.ttlMs, this.retentionMs, appUid, k.roomPrefix(appId)],
      )) as Reply;
      if (Number(reply[0]) !== 1) continue;
      const record: SessionRecord = { appId, uid, sessionId, socketId: String(reply[1]), nodeId: this.nodeId, connected: false, since: Number(reply[2]) };
      this.owned.put(record, roomPairs(reply, 6), paramsAt(reply, 3));
      adopted.push(record);
    }
    await this.redis.multi().zrem(k.nodes, node.nodeId).del(k.nodeSessions(node.nodeId)).exec();
    return adopted;
  }

  /**
   * Graceful shutdown: this node counts as dead at once, and its connected sessions start their
   * drop grace now, so a survivor announces them Dropped after the grace unless they resume.
   */
  async goodbye(): Promise<void> {
    const args: string[] = [this.nodeId, String(Date.now())];
    for (const o of this.owned.list()) {
      if (o.session.connected) args.push(this.keys.session(o.session.appId, o.session.uid), o.session.sessionId);
    }
    await this.script('rtsGoodbye', [this.keys.nodes], args);
  }
}
