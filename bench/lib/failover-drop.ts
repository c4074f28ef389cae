// A wire cut that leaves both interfaces up (bench/failover.ts): packets between A and B are
// silently lost, as when something further along the path fails, and no host sees an address
// come or go. Done with a permanent neighbour entry on each side naming a MAC nobody has: the
// other end's veth drops every frame not addressed to it. (This kernel has neither netem nor
// tc actions, and no iptables.) Addresses are those of test/helpers/netns.ts.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Topology } from '../../test/helpers/netns.js';

const run = promisify(execFile);

const SIDES = (topo: Topology): Array<[ns: string, dev: string, peer: string, mac: string]> => [
  [topo.a, 'ab', '10.200.3.2', '02:00:00:00:00:01'],
  [topo.b, 'ba', '10.200.3.1', '02:00:00:00:00:02'],
];

/** From now on A and B lose whatever they send each other; signaling is untouched. */
export async function dropWire(topo: Topology): Promise<void> {
  for (const [ns, dev, peer, mac] of SIDES(topo)) {
    await run('ip', ['-n', ns, 'neigh', 'replace', peer, 'lladdr', mac, 'dev', dev, 'nud', 'permanent']);
  }
}

/** Undoes dropWire: the next packet resolves the real neighbour again. */
export async function healWire(topo: Topology): Promise<void> {
  for (const [ns, dev, peer] of SIDES(topo)) await run('ip', ['-n', ns, 'neigh', 'del', peer, 'dev', dev]);
}
