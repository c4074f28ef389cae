// SPEC §11 end to end with the real client SDK: engines connected to different signaling
// processes form their WebRTC mesh through cross-process signaling, and a reliable stream over the
// relay loses nothing, duplicates nothing and keeps its order while Redis restarts (the server never
// acknowledges what it could not hand on; the client resends what was not acknowledged).
import { describe, expect, it } from 'vitest';
import { expectStreamDelivered, pumpMessages, linksOf, meshParams, relayed, resultsOf, texts, waitForMesh } from './helpers/mesh.js';
import { Clients, joinAll } from './helpers/rts-clients.js';
import { useRedisClusters, type Cluster } from './helpers/scaleout.js';
import { sleep, waitFor } from './helpers/server.js';

let cluster: Cluster;
/** One client factory per process: engine i connects to process i. */
const clients = [0, 1, 2].map((i) => new Clients(() => cluster.nodes[i]));
const clusters = useRedisClusters(() => {
  for (const c of clients) c.destroyAll();
});

describe('scale-out with the SDK', () => {
  it('engines on three processes form a full WebRTC mesh and message each other over it', async () => {
    cluster = await clusters.start(3);
    const engines = await Promise.all(['m1', 'm2', 'm3'].map((uid, i) => clients[i].login(uid, meshParams())));
    const members = await joinAll(engines, 'mesh');
    await waitForMesh(members);
    for (const m of members) expect(linksOf(m).stats().open).toBe(2);

    const sent = members.map((m) => m.room.sendRoomMessage(`hello from ${m.uid}`));
    for (const [i, m] of members.entries()) expect(await resultsOf(m.roomRec, 'onRoomMessageSendResult', [sent[i]])).toEqual([200]);
    for (const m of members) {
      await waitFor(() => texts(m.roomRec, 'onRoomMessageReceived').length === 2, 10_000, `${m.uid} got both`);
      expect(texts(m.roomRec, 'onRoomMessageReceived').sort()).toEqual(
        members.filter((o) => o !== m).map((o) => `${o.uid}:hello from ${o.uid}`).sort(),
      );
    }
    // Over the links, not the relay.
    expect(cluster.nodes.reduce((n, node) => n + relayed(node), 0)).toBe(0);
  });

  it('a relayed reliable stream between two processes survives a Redis restart: all delivered once, in order, all Success', async () => {
    cluster = await clusters.start(2, { dropGraceMs: 10_000 });
    const sender = await clients[0].login('s1', { resendAfterMs: 500 });
    const receiver = await clients[1].login('r1');
    const pump = pumpMessages(sender.rts, 'r1', 20);
    await sleep(400);
    await clusters.redis().kill();
    await sleep(700);
    await clusters.redis().start();
    await sleep(700);
    await pump.stop();

    await expectStreamDelivered(sender.rec, receiver.rec, 's1', pump.ids, 30_000);
  });
});
