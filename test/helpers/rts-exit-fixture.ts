// Run as a child process by test/client-engine.test.ts: uses the SDK fully, destroys it, closes
// the server, and must then exit on its own — proof that destroyRTS leaves no open handles.
import { createRTS, exponentialBackoff } from '../../client/index.js';
import { memoryLogger, Recorder } from './rts-clients.js';
import { startTestServer, waitFor } from './server.js';

const srv = await startTestServer();
const recs = [new Recorder(), new Recorder()];
const engines = ['alice', 'bob'].map((uid, i) => {
  const rts = createRTS(srv.appId, recs[i].handler, {
    server: srv.url, relayOnly: true, logger: memoryLogger(), sysStatsIntervalMs: 50, reconnect: exponentialBackoff({ initialMs: 50 }),
  });
  rts.login(srv.token(uid), uid);
  return rts;
});
await waitFor(() => recs.every((r) => r.count('onLoginResult') === 1));
const rooms = engines.map((e) => e.createRoom('R1')!);
rooms.forEach((r) => r.joinRoom());
await waitFor(() => rooms.every((r) => r.members.length === 1));
rooms[0].sendRoomMessage('hi');
engines[0].sendMessage('bob', 'hello');
engines[1].getPeerOnlineStatus('alice');
await waitFor(() => recs[0].count('onMessageSendResult') === 1 && recs[0].count('onSysStats') > 0);
for (const e of engines) {
  e.destroyRTS();
  e.destroyRTS();
}
await srv.close();
console.log('done');
