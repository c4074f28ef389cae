// The CLI's ICE settings (--stun, --turn, --turn-secret, --turn-ttl and their environment
// variables) as the server's `ice` option. Checked by createSignalingServer (iceOptionsError);
// here only what the flags alone can get wrong.
import type { IceOptions } from '../domain/ice-servers.js';

export interface IceFlagValues {
  stun?: string[];
  turn?: string[];
  turnSecret?: string;
  turnTtl?: number;
}

export function iceFromFlags(f: IceFlagValues): IceOptions | undefined {
  if (f.turnSecret !== undefined && !f.turn?.length) throw new Error('--turn-secret (RTSMESH_TURN_SECRET) needs --turn (RTSMESH_TURN) URLs');
  if (f.turnTtl !== undefined && !f.turn?.length) throw new Error('--turn-ttl (RTSMESH_TURN_TTL) needs --turn (RTSMESH_TURN) URLs');
  const ice: IceOptions = {};
  if (f.stun?.length) ice.stun = f.stun;
  if (f.turn?.length) ice.turn = { urls: f.turn, secret: f.turnSecret ?? '', ...(f.turnTtl !== undefined ? { ttlSeconds: f.turnTtl } : {}) };
  return ice.stun || ice.turn ? ice : undefined;
}
