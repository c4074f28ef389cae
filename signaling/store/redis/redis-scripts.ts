// The Lua scripts of RedisStore. Each one is a multi-key update that must be atomic across
// processes (Redis runs a script with nothing else in between). Times that several processes
// compare (expiry scores, node deadlines) come from Redis's own clock (TIME), never a process's.
//
// Value formats shared with redis-store.ts:
//   session hash  fields app uid sid sock node conn ('1' connected, '0' in drop grace) since
//   room hash     uid → "<seq>:<MemberRecord JSON>" (seq = join order)
//   node sessions appId+uid → sessionId
import type { Redis } from 'ioredis';

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

const SID_OF = `local function sidOf(v)
  local ok, m = pcall(cjson.decode, string.sub(v, string.find(v, ':', 1, true) + 1))
  if ok and type(m) == 'table' then return m.sessionId end
  return nil
end
`;

/** Memberships of `uid` that belong to session `sid`, appended to `out` as roomId, value pairs. */
const COLLECT_ROOMS = `local function collectRooms(userRoomsKey, roomPrefix, uid, sid, out)
  for _, roomId in ipairs(redis.call('SMEMBERS', userRoomsKey)) do
    local v = redis.call('HGET', roomPrefix .. roomId, uid)
    if v and sidOf(v) == sid then
      table.insert(out, roomId)
      table.insert(out, v)
    end
  end
  return out
end
`;

export const SCRIPTS = {
  /**
   * KEYS session, nodeSessions(node), sessionIndex, userRooms, serverParams
   * ARGV app uid sid sock node conn since ttl retention appUid nodeSessionsPrefix roomPrefix
   * → {hasParams, signature, url, roomId, value, ...}: what a resumed session already has.
   */
  rtsPutSession: NOW + SID_OF + COLLECT_ROOMS + `
local oldNode = redis.call('HGET', KEYS[1], 'node')
if oldNode and oldNode ~= ARGV[5] then redis.call('HDEL', ARGV[11] .. oldNode, ARGV[10]) end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'app', ARGV[1], 'uid', ARGV[2], 'sid', ARGV[3], 'sock', ARGV[4], 'node', ARGV[5], 'conn', ARGV[6], 'since', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
redis.call('HSET', KEYS[2], ARGV[10], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[9])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[8]), ARGV[10])
local out = {0, '', ''}
local p = redis.call('HMGET', KEYS[5], 'signature', 'url')
if p[1] and p[2] then out = {1, p[1], p[2]} end
return collectRooms(KEYS[4], ARGV[12], ARGV[2], ARGV[3], out)
`,

  /** KEYS session; ARGV sid sock since → 1 if it was connected with that session and socket. */
  rtsMarkDisconnected: `
local f = redis.call('HMGET', KEYS[1], 'sid', 'sock', 'conn')
if f[1] ~= ARGV[1] or f[2] ~= ARGV[2] or f[3] ~= '1' then return 0 end
redis.call('HSET', KEYS[1], 'conn', '0', 'since', ARGV[3])
return 1
`,

  /** KEYS session, sessionIndex; ARGV sid appUid nodeSessionsPrefix → 1 if deleted. */
  rtsDeleteSession: `
local f = redis.call('HMGET', KEYS[1], 'sid', 'node')
if f[1] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
if f[2] then redis.call('HDEL', ARGV[3] .. f[2], ARGV[2]) end
return 1
`,

  /**
   * KEYS room, userRooms, joinSeq, roomIndex; ARGV uid memberJson roomId retention appRoom
   * → the replaced value or ''. A replaced member keeps its place in the join order.
   */
  rtsPutMember: NOW + `
local old = redis.call('HGET', KEYS[1], ARGV[1])
local seq
if old then seq = string.sub(old, 1, string.find(old, ':', 1, true) - 1) else seq = redis.call('INCR', KEYS[3]) end
redis.call('HSET', KEYS[1], ARGV[1], seq .. ':' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[4]), ARGV[5])
return old or ''
`,

  /** KEYS room, userRooms, roomIndex; ARGV uid sid('' = any) roomId appRoom → the removed value or ''. */
  rtsRemoveMember: SID_OF + `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return '' end
if ARGV[2] ~= '' and sidOf(v) ~= ARGV[2] then return '' end
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('ZREM', KEYS[3], ARGV[4]) end
redis.call('SREM', KEYS[2], ARGV[3])
return v
`,

  /** KEYS room, roomIndex; ARGV roomId userRoomsPrefix appRoom → {uid, value, ...} of the members it had. */
  rtsDeleteRoom: `
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do redis.call('SREM', ARGV[2] .. all[i], ARGV[1]) end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[3])
return all
`,

  /** KEYS contacts(uid); ARGV uid contactsPrefix. Forgets the uid in both directions. */
  rtsClearContacts: `
for _, other in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do redis.call('ZREM', ARGV[2] .. other, ARGV[1]) end
redis.call('DEL', KEYS[1])
return 0
`,

  /** KEYS contacts(a), contacts(b); ARGV a b ttl → both directions, expiring ttl ms from now. */
  rtsAddContact: NOW + `
local untilMs = now + tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[1], untilMs, ARGV[2])
redis.call('ZADD', KEYS[2], untilMs, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 0
`,

  /** KEYS contacts(a); ARGV b → 1 while b is an unexpired contact of a. */
  rtsAreContacts: NOW + `
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) > now then return 1 end
return 0
`,

  /** KEYS sessionIndex, roomIndex → {sessions, rooms} not yet expired. */
  rtsCounts: NOW + `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2])}
`,

  /**
   * KEYS nodes, epoch, sessionIndex, roomIndex; ARGV nodeId ttl newEpoch → {epoch, now}: this node
   * is alive until now + ttl. Also prunes the counters of what expired without being deleted.
   */
  rtsNodeBeat: NOW + `
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[3]
  redis.call('SET', KEYS[2], epoch)
end
return {epoch, now}
`,

  /**
   * One owned session's heartbeat: refresh its keys, or re-create them after Redis lost its data.
   * KEYS session userRooms nodeSessions(me) sessionIndex serverParams roomIndex epoch joinSeq
   * ARGV epoch reassert app uid sid sock node conn since ttl retention appUid roomPrefix appId
   *      hasParams signature url, then roomId memberJson pairs
   * → {2} epoch changed (retry later), {0} the session is no longer this node's, or
   *   {1, lostRoomId...}: memberships that were removed elsewhere (kick, dismiss, -1004).
   */
  rtsSessionBeat: NOW + SID_OF + `
if redis.call('GET', KEYS[7]) ~= ARGV[1] then return {2} end
local reassert = ARGV[2] == '1'
local f = redis.call('HMGET', KEYS[1], 'sid', 'node')
if f[1] then
  if f[1] ~= ARGV[5] or f[2] ~= ARGV[7] then return {0} end
  redis.call('PEXPIRE', KEYS[1], ARGV[10])
elseif reassert then
  redis.call('HSET', KEYS[1], 'app', ARGV[3], 'uid', ARGV[4], 'sid', ARGV[5], 'sock', ARGV[6], 'node', ARGV[7], 'conn', ARGV[8], 'since', ARGV[9])
  redis.call('PEXPIRE', KEYS[1], ARGV[10])
else
  return {0}
end
redis.call('HSET', KEYS[3], ARGV[12], ARGV[5])
redis.call('PEXPIRE', KEYS[3], ARGV[11])
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[10]), ARGV[12])
if ARGV[15] == '1' then
  if redis.call('EXISTS', KEYS[5]) == 1 then
    redis.call('PEXPIRE', KEYS[5], ARGV[11])
  elseif reassert then
    redis.call('HSET', KEYS[5], 'signature', ARGV[16], 'url', ARGV[17])
    redis.call('PEXPIRE', KEYS[5], ARGV[11])
  end
end
local out = {1}
for i = 18, #ARGV, 2 do
  local roomId = ARGV[i]
  local key = ARGV[13] .. roomId
  local v = redis.call('HGET', key, ARGV[4])
  local mine = v and sidOf(v) == ARGV[5]
  if not v and reassert then
    redis.call('HSET', key, ARGV[4], redis.call('INCR', KEYS[8]) .. ':' .. ARGV[i + 1])
    mine = true
  end
  if mine then
    redis.call('PEXPIRE', key, ARGV[11])
    redis.call('SADD', KEYS[2], roomId)
    redis.call('ZADD', KEYS[6], now + tonumber(ARGV[11]), ARGV[14] .. roomId)
  else
    table.insert(out, roomId)
  end
end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[11]) end
return out
`,

  /**
   * KEYS nodes; ARGV me retention → {now, {nodeId, deadline, ...}}: nodes past their deadline.
   * Nodes dead for longer than the retention have nothing left to reap and are forgotten.
   */
  rtsDeadNodes: NOW + `
local out = {}
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES')
for i = 1, #dead, 2 do
  if dead[i] ~= ARGV[1] then
    if tonumber(dead[i + 1]) < now - tonumber(ARGV[2]) then
      redis.call('ZREM', KEYS[1], dead[i])
    else
      table.insert(out, dead[i])
      table.insert(out, dead[i + 1])
    end
  end
end
return {now, out}
`,

  /**
   * Takes over one session of a dead node, as disconnected (in drop grace), so that this node
   * announces it Dropped unless it resumes elsewhere first.
   * KEYS session nodeSessions(dead) nodeSessions(me) sessionIndex userRooms serverParams
   * ARGV app uid sid deadNode me diedAt ttl retention appUid roomPrefix
   * → {0} nothing to do, or {1, sock, since, hasParams, signature, url, roomId, value, ...}
   */
  rtsAdopt: NOW + SID_OF + COLLECT_ROOMS + `
local f = redis.call('HMGET', KEYS[1], 'sid', 'node', 'conn', 'since', 'sock')
local sock = ''
local since = ARGV[6]
if f[1] then
  if f[1] ~= ARGV[3] or f[2] ~= ARGV[4] then
    redis.call('HDEL', KEYS[2], ARGV[9])
    return {0}
  end
  sock = f[5] or ''
  if f[3] == '0' and f[4] then since = f[4] end
end
local rooms = collectRooms(KEYS[5], ARGV[10], ARGV[2], ARGV[3], {})
redis.call('HDEL', KEYS[2], ARGV[9])
if not f[1] and #rooms == 0 then return {0} end
redis.call('HSET', KEYS[1], 'app', ARGV[1], 'uid', ARGV[2], 'sid', ARGV[3], 'sock', sock, 'node', ARGV[5], 'conn', '0', 'since', since)
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('HSET', KEYS[3], ARGV[9], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[8])
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[7]), ARGV[9])
local out = {1, sock, since, 0, '', ''}
local p = redis.call('HMGET', KEYS[6], 'signature', 'url')
if p[1] and p[2] then out = {1, sock, since, 1, p[1], p[2]} end
for _, x in ipairs(rooms) do table.insert(out, x) end
return out
`,

  /**
   * Graceful shutdown: this node is dead from now on, and its connected sessions start their drop
   * grace now (a survivor adopts them). KEYS nodes; ARGV me since, then sessionKey sid pairs.
   */
  rtsGoodbye: NOW + `
redis.call('ZADD', KEYS[1], now, ARGV[1])
for i = 3, #ARGV, 2 do
  local f = redis.call('HMGET', ARGV[i], 'sid', 'node', 'conn')
  if f[1] == ARGV[i + 1] and f[2] == ARGV[1] and f[3] == '1' then
    redis.call('HSET', ARGV[i], 'conn', '0', 'since', ARGV[2])
  end
end
return 0
`,

  /** KEYS lock; ARGV token → deletes the lock only if this holder still has it. */
  rtsUnlock: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** Registers every script on a client (ioredis then uses EVALSHA, falling back to EVAL after a Redis restart). */
export function defineScripts(redis: Redis): void {
  for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { lua });
}

type Arg = string | number;
type Caller = (numKeys: number, ...args: Arg[]) => Promise<unknown>;

/** Runs a script defined by defineScripts on a client or a pipeline. */
export function runScript(target: Redis, name: ScriptName, keys: readonly string[], args: readonly Arg[]): Promise<unknown>;
export function runScript(target: object, name: ScriptName, keys: readonly string[], args: readonly Arg[]): unknown;
export function runScript(target: object, name: ScriptName, keys: readonly string[], args: readonly Arg[]): unknown {
  const fn = (target as Record<string, Caller>)[name];
  return fn.call(target, keys.length, ...keys, ...args);
}
