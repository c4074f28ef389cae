// `rtsmesh-token`: prints a login (or room) token, for scripts and tests (SPEC §6).
import { Command, InvalidArgumentError } from 'commander';
import { createToken } from '../../shared/token.js';
import { SERVER_VERSION } from '../version.js';

const program = new Command()
  .name('rtsmesh-token')
  .description('print an rtsmesh access token ("001" format)')
  .version(SERVER_VERSION)
  .requiredOption('--app-id <appId>', 'app id, 24 characters (env RTSMESH_APP_ID)', process.env.RTSMESH_APP_ID)
  .requiredOption('--app-key <appKey>', 'app key (env RTSMESH_APP_KEY)', process.env.RTSMESH_APP_KEY)
  .requiredOption('--uid <uid>', 'user id the token is for')
  .option('--room <roomId>', 'room token for this room (or *); default: a login token')
  .option('--expire <seconds>', 'valid for this many seconds from now; default: never expires', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('--expire must be a positive integer');
    return n;
  })
  .showHelpAfterError();

program.parse();
const o = program.opts<{ appId: string; appKey: string; uid: string; room?: string; expire?: number }>();
try {
  const token = createToken({
    appId: o.appId,
    appKey: o.appKey,
    userId: o.uid,
    roomId: o.room,
    expireAt: o.expire !== undefined ? Math.floor(Date.now() / 1000) + o.expire : 0,
  });
  console.log(token);
} catch (e) {
  console.error(`rtsmesh-token: ${(e as Error).message}`);
  process.exit(1);
}
