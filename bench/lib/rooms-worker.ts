// A child process hosting a share of a room's members: real engines (createRTS, node-datachannel
// on loopback) driven over IPC by rooms-fleet.ts, so a room of tens of members spreads over
// several processes as real clients do. Started by pid and ended by pid (bench/lib/children.ts).
//
// Commands (each replies when done):
//   setup  {url, appId, appKey, uids, params, noAck?}  create and log in; noAck: uids patched to never acknowledge
//   join   {room, uids?}                               join (all or some), until joined
//   leave  {room, uids}                                leave the room, until left on the server
//   stream {room, count, intervalMs, uids?, startAt}   each sender broadcasts `count` messages "<uid>#<i>#<sentAt>", spread evenly
//   rawSetup {url, uids}                               the same members as raw socket.io clients of bench's raw relay (baseline)
//   rawJoin {room} / rawStream {…as stream}           join, and broadcast the same messages, on the raw relay
//   report {full?}                                     what every member received, its send results and its links (full: with every latency)
//   cpu                                                the process's CPU time so far (µs, every thread)
//   counts                                             per member only its links, sends and pending results: cheap to poll while a room streams
import { io, type Socket } from 'socket.io-client';
import { serveIpc } from './child-main.js';
import { createRTS, type RTS, type RTSParameters, type RTSRoom } from '../../client/index.js';
import { createToken } from '../../shared/token.js';

interface PerSender {
  n: number;
  dups: number;
  outOfOrder: number;
  last: number;
  seen: Set<number>;
}

interface Member {
  uid: string;
  rts: RTS;
  rooms: Map<string, RTSRoom>;
  paths: Map<string, { state: string; reason?: string }>;
  received: Map<string, PerSender>;
  results: Map<number, number>;
  resultMs: number[];
  sentAt: Map<number, number>;
  latencies: number[];
  /** The same, split by the path the sender was on when it arrived (p2p link or the server). */
  direct: number[];
  viaServer: number[];
  sent: number;
  /** Connection states seen other than Connected (3), in order: a reconnect shows here. */
  states: number[];
  /** Results 200 within 2 s of the send. */
  fast: number;
}

const members = new Map<string, Member>();
/** Raw socket.io clients (the baseline): same accounting, no results (the raw relay has none). */
const raw = new Map<string, { socket: Socket; m: Member }>();
const timers = new Set<ReturnType<typeof setTimeout>>();
const wallNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(20);
  }
}

function onMessage(m: Member, from: string, text: string): void {
  const [sender, index, at] = text.split('#');
  if (sender !== from) throw new Error(`message from ${from} names ${sender}`);
  const i = Number(index);
  let r = m.received.get(from);
  if (!r) m.received.set(from, (r = { n: 0, dups: 0, outOfOrder: 0, last: -1, seen: new Set() }));
  if (r.seen.has(i)) r.dups++;
  else {
    r.seen.add(i);
    r.n++;
  }
  if (i <= r.last) r.outOfOrder++;
  r.last = Math.max(r.last, i);
  const latency = wallNow() - Number(at);
  m.latencies.push(latency);
  (m.paths.get(from)?.state === 'p2p' ? m.direct : m.viaServer).push(latency);
}

async function login(url: string, appId: string, appKey: string, uid: string, params: Partial<RTSParameters>, noAck: boolean): Promise<Member> {
  const rts = createRTS(appId, {}, { server: url, webrtc: 'node-datachannel', iceAddresses: ['127.0.0.1'], ...params });
  if (noAck) {
    // The patched client of the tests: it receives everything and acknowledges nothing.
    (rts as unknown as { messenger: { acks: { schedule: () => void } } }).messenger.acks.schedule = () => undefined;
  }
  const m: Member = { uid, rts, rooms: new Map(), paths: new Map(), received: new Map(), results: new Map(), resultMs: [], sentAt: new Map(), latencies: [], direct: [], viaServer: [], sent: 0, states: [], fast: 0 };
  rts.on('onConnectionStateChanged', (state) => {
    if (m.states.length < 20) m.states.push(state);
  });
  rts.on('onPeerLinkStateChanged', (peer, state, reason) => m.paths.set(peer, { state, reason }));
  const done = new Promise<void>((resolve, reject) => {
    rts.on('onLoginResult', (_u, code) => (code === 0 ? resolve() : reject(new Error(`login ${uid}: ${code}`))));
  });
  rts.login(createToken({ appId, appKey, userId: uid }), uid);
  await done;
  members.set(uid, m);
  return m;
}

function join(m: Member, roomId: string): Promise<void> {
  const known = m.rooms.get(roomId);
  const room = known ?? m.rts.createRoom(roomId);
  if (!room || typeof room === 'number') throw new Error(`createRoom ${roomId} failed`);
  if (!known) {
    m.rooms.set(roomId, room);
    room.on('onRoomMessageReceived', (from, text) => onMessage(m, from, text));
    room.on('onRoomMessageSendResult', (msgId, code) => {
      m.results.set(msgId, code);
      const t = m.sentAt.get(msgId);
      if (t !== undefined) m.resultMs.push(wallNow() - t);
      if (t !== undefined && code === 200 && wallNow() - t <= 2000) m.fast++;
    });
  }
  return new Promise((resolve, reject) => {
    const onState = (_r: string, _u: string, state: number): void => {
      if (state === 0) {
        room.off?.('onRoomStateChanged', onState);
        resolve();
      } else if (state <= -1000 && state > -2000) reject(new Error(`${m.uid} join failed ${state}`));
    };
    room.on('onRoomStateChanged', onState);
    room.joinRoom();
  });
}

/** Schedules `count` sends per sender, evenly spread (see RoomsFleet.stream). */
function schedule(msg: Record<string, unknown>, senders: Member[], send: (m: Member, text: string) => number): void {
  const count = msg.count as number;
  const interval = msg.intervalMs as number;
  const startAt = msg.startAt as number;
  senders.forEach((m, k) => {
    const phase = ((msg.phase0 as number) + k * (msg.phaseStep as number)) % interval;
    for (let i = 0; i < count; i++) {
      const t = setTimeout(() => {
        timers.delete(t);
        const at = wallNow();
        const id = send(m, `${m.uid}#${i}#${at}`);
        m.sent++;
        if (id > 0) m.sentAt.set(id, at);
        else m.results.set(-i - 1, id);
      }, Math.max(0, startAt - wallNow()) + phase + i * interval);
      timers.add(t);
    }
  });
}

function pick(uids: unknown): Member[] {
  return Array.isArray(uids) ? uids.map((u) => members.get(u as string)!).filter(Boolean) : [...members.values()];
}

serveIpc(
  {
    ready: () => ({}),
    // CPU time of the whole process (all its threads: the WebRTC stack's included), in µs.
    cpu: () => {
      const u = process.cpuUsage();
      return { us: u.user + u.system };
    },
    setup: async (msg) => {
      const noAck = new Set((msg.noAck as string[] | undefined) ?? []);
      const uids = msg.uids as string[];
      await Promise.all(uids.map((uid) =>
        login(msg.url as string, msg.appId as string, msg.appKey as string, uid, (msg.params ?? {}) as Partial<RTSParameters>, noAck.has(uid))));
    },
    join: async (msg) => {
      await Promise.all(pick(msg.uids).map((m) => join(m, msg.room as string)));
    },
    leave: async (msg) => {
      for (const m of pick(msg.uids)) m.rooms.get(msg.room as string)?.leaveRoom();
      await sleep(50);
    },
    stream: (msg) => {
      schedule(msg, pick(msg.uids), (m, text) => m.rooms.get(msg.room as string)!.sendRoomMessage(text));
    },
    rawSetup: async (msg) => {
      await Promise.all((msg.uids as string[]).map(async (uid) => {
        const socket = io(msg.url as string, { transports: ['websocket'], forceNew: true, reconnection: false });
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        await socket.emitWithAck('hello', uid);
        const m: Member = {
          uid, rts: undefined as unknown as RTS, rooms: new Map(), paths: new Map(), received: new Map(), results: new Map(), resultMs: [], sentAt: new Map(), latencies: [], direct: [], viaServer: [], sent: 0, states: [], fast: 0,
        };
        socket.on('room', (from: string, text: string) => onMessage(m, from, text));
        raw.set(uid, { socket, m });
      }));
    },
    rawJoin: async (msg) => {
      await Promise.all([...raw.values()].map(({ socket }) => socket.emitWithAck('join', msg.room)));
    },
    rawStream: (msg) => {
      let n = 0;
      schedule(msg, [...raw.values()].map((r) => r.m), (m, text) => {
        raw.get(m.uid)!.socket.emit('room', msg.room, text);
        return ++n;
      });
    },
    rawReport: () => ({
      members: [...raw.values()].map(({ m }) => ({ uid: m.uid, sent: m.sent, n: [...m.received.values()].reduce((a, r) => a + r.n, 0), latencies: m.latencies })),
    }),
    rawTeardown: () => {
      for (const { socket } of raw.values()) socket.disconnect();
      raw.clear();
    },
    teardown: () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const m of members.values()) m.rts.destroyRTS();
      members.clear();
    },
    counts: () => ({
      members: [...members.values()].map((m) => ({
        uid: m.uid, openLinks: (m.rts as unknown as { links: { openLinks(): number } }).links.openLinks(), sent: m.sent, pending: m.sent - m.results.size,
      })),
    }),
    report: (msg) => ({
      members: [...members.values()].map((m) => {
        const links = (m.rts as unknown as { links: { openLinks(): number } }).links.openLinks();
        const codes: Record<string, number> = {};
        for (const code of m.results.values()) codes[code] = (codes[code] ?? 0) + 1;
        const received: Record<string, { n: number; dups: number; outOfOrder: number }> = {};
        for (const [from, r] of m.received) received[from] = { n: r.n, dups: r.dups, outOfOrder: r.outOfOrder };
        const paths: Record<string, number> = {};
        for (const p of m.paths.values()) {
          const key = p.reason ? `${p.state}:${p.reason}` : p.state;
          paths[key] = (paths[key] ?? 0) + 1;
        }
        return { uid: m.uid, openLinks: links, sent: m.sent, codes, pending: m.sent - m.results.size, received, paths, resultMs: msg.full ? m.resultMs : [], latencies: msg.full ? m.latencies : [],
          direct: msg.full ? m.direct : [], viaServer: msg.full ? m.viaServer : [], states: m.states, fast: m.fast,
          roomStats: (m.rts as unknown as { sysStats: { snapshot(): { roomStats?: unknown[] } } }).sysStats.snapshot().roomStats ?? [] };
      }),
    }),
  },
  async () => {
    for (const t of timers) clearTimeout(t);
    for (const m of members.values()) m.rts.destroyRTS();
    for (const { socket } of raw.values()) socket.disconnect();
  },
);
