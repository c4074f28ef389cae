// Run inside a network namespace by test/mesh-link-cut-netns.test.ts: a signaling server on every
// interface of that namespace (port from argv; 0 = any free one, printed), with the test app and limits fast enough for a
// stream of a thousand messages. Prints "ready <port>", then serves until SIGTERM.
import { startTestServer } from './server.js';
import { FAST_LIMITS } from './mesh.js';

const port = Number(process.argv[2]);
const srv = await startTestServer({ host: '0.0.0.0', port, limits: FAST_LIMITS });
console.log(`ready ${srv.server.port}`);
const stop = (): void => {
  void srv.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
