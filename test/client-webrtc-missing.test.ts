// node-datachannel and @roamhq/wrtc are optional: a Node engine whose WebRTC package is not
// installed says which package to install (through its logger), makes no peer links, declines
// its peers' link attempts, and keeps messaging through the server. The missing package is
// simulated through the loader's seam (the module importer), not by uninstalling anything.
import { describe, expect, it } from 'vitest';
import { WebRTCUnavailableError } from '../client/index.js';
import { builtInLinkManagerFactory } from '../client/link-factory.js';
import { resolveWebRTC, type ModuleImporter } from '../client/peer/webrtc-impl.js';
import { memoryLogger, useTestbed } from './helpers/rts-clients.js';
import { meshParams, pathTo, relayed, resultsOf, texts } from './helpers/mesh.js';
import { waitFor } from './helpers/server.js';

/** What Node's import() throws for a package that is not in node_modules. */
const notInstalled: ModuleImporter = async (specifier) => {
  const pkg = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  throw Object.assign(new Error(`Cannot find package '${pkg}' imported from /app/index.js`), { code: 'ERR_MODULE_NOT_FOUND' });
};

const bed = useTestbed();
const { clients } = bed;

describe('a Node WebRTC stack that is not installed', () => {
  it('is named with the package to install; one that is there but broken is told apart', async () => {
    const ndc = await resolveWebRTC('node-datachannel', notInstalled).catch((e: unknown) => e);
    expect(ndc).toBeInstanceOf(WebRTCUnavailableError);
    expect(ndc).toMatchObject({ option: 'node-datachannel', packageName: 'node-datachannel', missing: true });
    expect((ndc as Error).message).toBe("rtsmesh: the Node WebRTC stack 'node-datachannel' is not installed: npm install node-datachannel");
    const wrtc = await resolveWebRTC('wrtc', notInstalled).catch((e: unknown) => e);
    expect((wrtc as Error).message).toBe("rtsmesh: the Node WebRTC stack 'wrtc' is not installed: npm install @roamhq/wrtc");
    const broken = await resolveWebRTC('wrtc', async () => {
      throw new Error('wrtc.node: invalid ELF header');
    }).catch((e: unknown) => e);
    expect(broken).toMatchObject({ missing: false, packageName: '@roamhq/wrtc' });
    expect((broken as Error).message).toContain('could not be loaded: wrtc.node: invalid ELF header');
  });

  it('leaves the engine on the relay: the log says what to install, peers are declined, messages flow', async () => {
    const srv = await bed.start();
    const logger = memoryLogger();
    const alice = await clients.login('alice', meshParams('node-datachannel', {
      logger, linkManagerFactory: builtInLinkManagerFactory({ importModule: notInstalled }),
    }));
    const bob = await clients.login('bob', meshParams('wrtc'));
    await waitFor(() => logger.lines.some((l) => l.includes('npm install node-datachannel')), 10_000, 'the missing package in the log');
    await waitFor(() => bob.rts.debugLinkManager() !== null, 10_000, "bob's link layer");
    expect(alice.rts.debugLinkManager()).toBeNull();

    const a = await alice.join('R');
    const b = await bob.join('R');
    // bob asks alice for a link; alice declines, so bob settles on the relay instead of retrying.
    await waitFor(() => pathTo(bob.rec, 'alice') === 'relay' && pathTo(alice.rec, 'bob') === 'relay', 15_000, 'both on the relay');
    expect(bob.rec.of('onPeerLinkStateChanged').filter(([uid]) => uid === 'alice').map(([, state]) => state)).toEqual(['connecting', 'relay']);
    const before = relayed(srv);
    const ids = [a.room.sendRoomMessage('hi room'), a.room.sendUserMessage('bob', 'hi bob')];
    const back = bob.rts.sendMessage('alice', 'hi alice');
    expect(await resultsOf(a.rec, 'onRoomMessageSendResult', [ids[0]])).toEqual([200]);
    expect(await resultsOf(a.rec, 'onUserMessageSendResult', [ids[1]])).toEqual([0]);
    expect(await resultsOf(bob.rec, 'onMessageSendResult', [back])).toEqual([0]);
    expect(texts(b.rec, 'onRoomMessageReceived')).toEqual(['alice:hi room']);
    expect(texts(b.rec, 'onUserMessageReceived')).toEqual(['alice:hi bob']);
    expect(texts(alice.rec, 'onMessageReceived')).toEqual(['bob:hi alice']);
    expect(relayed(srv) - before).toBe(3);
    expect(bob.rts.debugLinkManager()!.isOpen('alice')).toBe(false);
  });
});
