// Network namespaces for tests that need a real network cut (root only). Three namespaces, each
// pair joined by its own veth, so the peer link and the signaling connections take separate
// wires and one can be cut without the other:
//
//        S (signaling)
//   10.200.1.1  10.200.2.1
//       |            |
//   10.200.1.2  10.200.2.2
//       A ------------ B        the A–B veth (10.200.3.1 / 10.200.3.2) carries the peer link
//
// S does not forward, so A and B reach each other only over the A–B wire. The 10.200.x addresses
// exist only inside these namespaces; deleting the namespaces deletes the veths with them.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Topology {
  /** Namespace names. */
  s: string;
  a: string;
  b: string;
  /** The signaling server's address as seen from A and from B. */
  serverFromA: string;
  serverFromB: string;
  /** Takes A's end of the A–B wire down (the link dies; signaling is untouched). */
  cut(): Promise<void>;
  /** Brings it back up. */
  restore(): Promise<void>;
  /** Deletes the namespaces (and their veths). Idempotent. */
  destroy(): Promise<void>;
}

const ip = (...args: string[]): Promise<unknown> => run('ip', args);

export async function createTopology(tag = `rtsm${process.pid % 100_000}`): Promise<Topology> {
  const s = `${tag}s`;
  const a = `${tag}a`;
  const b = `${tag}b`;
  const names = [s, a, b];
  let destroyed = false;
  const destroySync = (): void => {
    if (destroyed) return;
    destroyed = true;
    for (const ns of names) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // not there
      }
    }
  };
  // Last resort: a crashed test must not leave namespaces behind.
  process.once('exit', destroySync);
  destroySync(); // leftovers of an earlier run with the same tag
  destroyed = false;
  try {
    for (const ns of names) {
      await ip('netns', 'add', ns);
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    const wire = async (ns1: string, dev1: string, addr1: string, ns2: string, dev2: string, addr2: string): Promise<void> => {
      await ip('link', 'add', dev1, 'netns', ns1, 'type', 'veth', 'peer', 'name', dev2, 'netns', ns2);
      await ip('-n', ns1, 'addr', 'add', addr1, 'dev', dev1);
      await ip('-n', ns2, 'addr', 'add', addr2, 'dev', dev2);
      await ip('-n', ns1, 'link', 'set', dev1, 'up');
      await ip('-n', ns2, 'link', 'set', dev2, 'up');
    };
    await wire(s, 'sa', '10.200.1.1/24', a, 'as', '10.200.1.2/24');
    await wire(s, 'sb', '10.200.2.1/24', b, 'bs', '10.200.2.2/24');
    await wire(a, 'ab', '10.200.3.1/24', b, 'ba', '10.200.3.2/24');
  } catch (e) {
    destroySync();
    throw e;
  }
  return {
    s, a, b,
    serverFromA: '10.200.1.1',
    serverFromB: '10.200.2.1',
    cut: async () => {
      await ip('-n', a, 'link', 'set', 'ab', 'down');
    },
    restore: async () => {
      await ip('-n', a, 'link', 'set', 'ab', 'up');
    },
    destroy: async () => {
      process.off('exit', destroySync);
      destroySync();
    },
  };
}
