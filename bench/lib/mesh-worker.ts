// Hosts a share of the clients of a mesh-formation run, so no process holds more peer
// connections than its file-descriptor limit allows (@roamhq/wrtc uses ~60 fds per connection).
// Commands:
//   setup {kind: 'raw'|'sdk', stack, url, uids}   connect (raw) or log in (SDK) these clients
//   join  {room, roomSize, at, timeoutMs}          at wall time `at`, all join; replies {doneAt}
//                                                  once every local client links to all others
//   teardown                                       close this run's clients
import { serveIpc } from './child-main.js';
import { joinRawMesh, rawMembers, waitRawMesh, type RawMember } from './raw-mesh.js';
import { Scope, sleep } from './scope.js';
import { loginEngine, startJoin, waitP2P, type Engine } from './sdk-engine.js';
import type { StackName } from './webrtc.js';

let scope = new Scope();
let kind: 'raw' | 'sdk' = 'raw';
let stack: StackName = 'wrtc';
let raw: RawMember[] = [];
let engines: Engine[] = [];
let allUids: string[] = [];

const wallNow = (): number => performance.timeOrigin + performance.now();

serveIpc(
  {
    ready: () => ({}),
    setup: async (m) => {
      await scope.close();
      scope = new Scope();
      kind = m.kind as 'raw' | 'sdk';
      stack = m.stack as StackName;
      const uids = m.uids as string[];
      allUids = m.allUids as string[];
      if (kind === 'raw') {
        raw = await rawMembers(m.url as string, uids, scope);
        engines = [];
      } else {
        // A full mesh is what this scenario measures: every member may link to every other one
        // (the default maxPeerLinks, 8, would cap a 16-member room below it; rooms.ts measures that).
        const maxPeerLinks = Math.max(8, allUids.length - 1);
        engines = await Promise.all(uids.map((uid) => loginEngine(scope, { server: m.url as string, uid, stack, maxPeerLinks })));
        raw = [];
      }
    },
    join: async (m) => {
      const room = m.room as string;
      const timeoutMs = m.timeoutMs as number;
      const wait = (m.at as number) - wallNow();
      if (wait > 0) await sleep(wait);
      if (kind === 'raw') {
        await joinRawMesh(raw, room, stack, scope);
        await waitRawMesh(raw, allUids.length, timeoutMs);
      } else {
        const joins = engines.map((e) => startJoin(e, room));
        await Promise.all([
          ...joins.map((j) => j.joined(timeoutMs)),
          ...engines.map((e) => waitP2P(e, allUids.filter((u) => u !== e.uid), timeoutMs)),
        ]);
      }
      return { doneAt: wallNow() };
    },
    teardown: async () => {
      await scope.close();
      scope = new Scope();
    },
  },
  () => scope.close(),
);
