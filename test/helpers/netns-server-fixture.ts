// Run inside a network namespace by the netns tests: a signaling server on every interface of
// that namespace (port from argv; 0 = any free one, printed), with the test app and limits fast
// enough for a stream of a thousand messages, and the `ice` option from the ICE variable (JSON)
// when set. Prints "ready <port>", then serves until SIGTERM; on SIGUSR2 prints
// "stats <json>" (the server's counters).
import { startTestServer } from './server.js';
import { FAST_LIMITS } from './mesh.js';

const port = Number(process.argv[2]);
const ice = process.env.ICE ? JSON.parse(process.env.ICE) : undefined;
const srv = await startTestServer({ host: '0.0.0.0', port, limits: FAST_LIMITS, ice });
console.log(`ready ${srv.server.port}`);
process.on('SIGUSR2', () => console.log(`stats ${JSON.stringify(srv.server.stats())}`));
const stop = (): void => {
  void srv.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
