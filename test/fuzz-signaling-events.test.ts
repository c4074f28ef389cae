// Fuzzing every client→server event (SPEC §5: the server never trusts a client): thousands of
// generated hostile payloads, before and after login, each answered with a reply that carries a
// numeric `code`, and a server that still serves a fresh login afterwards. Seeded: the seed is in
// every failure message; FUZZ_SEED=<seed> reproduces the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzSeed, Prng, randomPayload, randomValue } from './helpers/fuzz.js';
import { request, startTestServer, type ClientSocket, type TestServer } from './helpers/server.js';

const FIELDS: Record<string, readonly string[]> = {
  login: ['appId', 'uid', 'token', 'sessionId', 'businessId', 'sdkVersion'],
  logout: [],
  'token:update': ['token'],
  'server:params': ['signature', 'url'],
  'server:message': ['msgId', 'data'],
  'presence:query': ['uid'],
  'room:join': ['roomId', 'extraInfo', 'rejoin'],
  'room:leave': ['roomId'],
  'relay:frame': ['to', 'frame'],
  'relay:room': ['roomId', 'except', 'frame'],
  'rtc:signal': ['to', 'signal'],
  'no:such-event': ['x'],
  'relay:frames': ['to', 'frame'],
};
const EVENTS = Object.keys(FIELDS);
/** Payloads per socket; 4 sockets (2 before login, 2 logged in) → 10,000 in all. */
const PER_SOCKET = 2500;
/** Requests in flight per socket, well inside the server's per-socket queue. */
const WINDOW = 50;

const seed = fuzzSeed();
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

interface Outcome {
  sent: number;
  failures: string[];
}

/** Sends PER_SOCKET generated payloads; `loggedIn` sockets never send logout (it would end the phase). */
async function fuzzSocket(socket: ClientSocket, r: Prng, loggedIn: boolean): Promise<Outcome> {
  const events = loggedIn ? EVENTS.filter((e) => e !== 'logout') : EVENTS;
  const failures: string[] = [];
  let sent = 0;
  while (sent < PER_SOCKET) {
    const batch: Promise<void>[] = [];
    for (let i = 0; i < WINDOW && sent < PER_SOCKET; i++, sent++) {
      const event = r.pick(events);
      const shape = r.int(10);
      // Mostly one payload; sometimes none, sometimes extra arguments before the ack.
      const args = shape === 0 ? [] : shape === 1 ? [randomValue(r), randomValue(r)] : [randomPayload(r, FIELDS[event])];
      const n = sent;
      batch.push(
        request<unknown>(socket, event, ...args).then(
          (reply) => {
            const code = (reply as { code?: unknown } | null)?.code;
            if (typeof code !== 'number' || !Number.isInteger(code)) failures.push(`#${n} ${event}: reply without a code: ${JSON.stringify(reply)}`);
          },
          (e: unknown) => void failures.push(`#${n} ${event}: ${(e as Error).message}`),
        ),
      );
    }
    await Promise.all(batch);
  }
  return { sent, failures };
}

describe('fuzzing every client event', () => {
  it(`10,000 generated payloads before and after login each get a coded reply; the server lives on (seed ${seed})`, async () => {
    const root = new Prng(seed);
    const anon = [await t.connect(), await t.connect()];
    const users = [await t.login('alice'), await t.login('bob')];
    // A room both are in, so room and relay payloads also reach the checks behind membership.
    for (const u of users) expect((await request(u.socket, 'room:join', { roomId: 'room' })).code).toBe(0);
    const outcomes = await Promise.all([
      ...anon.map((s, i) => fuzzSocket(s, new Prng(root.next() * 2 ** 32 + i), false)),
      ...users.map((u, i) => fuzzSocket(u.socket, new Prng(root.next() * 2 ** 32 + 10 + i), true)),
    ]);
    const sent = outcomes.reduce((a, o) => a + o.sent, 0);
    const failures = outcomes.flatMap((o) => o.failures);
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(failures.slice(0, 10), `FUZZ_SEED=${seed}: ${failures.length} payloads without a coded reply`).toEqual([]);

    // Alive: the fuzzed sockets still answer, and a fresh login works.
    for (const s of anon) expect(s.connected, `FUZZ_SEED=${seed}`).toBe(true);
    expect(await request(users[0].socket, 'presence:query', { uid: 'bob' }), `FUZZ_SEED=${seed}`).toEqual({ code: 0, status: 1 });
    const fresh = await t.login('carol');
    expect(await request(fresh.socket, 'presence:query', { uid: 'alice' }), `FUZZ_SEED=${seed}`).toEqual({ code: 0, status: 1 });
  }, 60_000);
});
