// A peer is not trusted just because it has a link (SPEC §10, §5): whatever it writes on its
// data channels — garbage, frames of the wrong shape, frames naming another sender, oversized
// payloads, frames for rooms it is not in, sequence gaps, forged acknowledgements, a flood of
// malformed messages — the receiving engine neither crashes nor delivers anything it should not,
// attributes what it does deliver to the link's user, and keeps working with everyone else.
import { describe, expect, it } from 'vitest';
import { encode } from 'msgpackr';
import { encodeFrames, FrameType, type Frame } from '../shared/frame.js';
import { CHUNK_MARKER } from '../client/peer/chunking.js';
import { useTestbed, type Recorder } from './helpers/rts-clients.js';
import { waitFor, type TestServer } from './helpers/server.js';
import { linksOf, meshRoom, relayed, resultsOf, texts, waitForMesh } from './helpers/mesh.js';

const bed = useTestbed();
const { clients } = bed;
let srv: TestServer;

/** Every message callback `rec` heard, as `callback from text` (long payloads by size). */
function deliveries(rec: Recorder): string[] {
  const names = ['onMessageReceived', 'onBinaryMessageReceived', 'onRoomMessageReceived', 'onRoomBinaryMessageReceived', 'onUserMessageReceived', 'onUserBinaryMessageReceived'];
  return rec.events.filter((e) => names.includes(e.name)).map((e) => {
    const [from, data] = e.args as [string, string | Uint8Array];
    return `${e.name} ${from} ${typeof data === 'string' ? (data.length > 40 ? `<${data.length} chars>` : data) : `<${data.byteLength} bytes>`}`;
  });
}

describe('a malicious peer on a link', () => {
  it('cannot crash or confuse the receiving engine', async () => {
    srv = await bed.start();
    const members = await meshRoom(clients, ['carol', 'mallory', 'victim'], 'R');
    const [carol, mallory, victim] = members;
    // A room mallory is not in.
    const victimR2 = await victim.join('R2');
    const carolR2 = await carol.join('R2');
    await victimR2.rec.wait('onUserJoined', (info) => info.uid === 'carol');
    await waitForMesh(members);
    const victimLinks = linksOf(victim);
    const toVictim = (frames: Frame[]): void => {
      expect(linksOf(mallory).send('victim', frames)).toBe(true);
    };
    const raw = (): RTCDataChannel => linksOf(mallory).linkFor('victim')!.rawChannel('reliable')!;
    let sentinels = 0;
    /** An unreliable text after the attack on the same ordered channel: once it is in, so is everything before. */
    const settle = async (): Promise<void> => {
      const tag = `sentinel ${++sentinels}`;
      toVictim([{ t: FrameType.Message, st: 'u/', d: tag }]);
      await victim.rec.wait('onMessageReceived', (from, text) => from === 'mallory' && text === tag, 10_000);
    };

    // 1. Bytes that are not a frame batch at all.
    const forgedChunk = new Uint8Array(20);
    forgedChunk[0] = CHUNK_MARKER;
    new DataView(forgedChunk.buffer).setUint32(5, 0xffff_fff0); // "4 GiB coming"
    const junk: Uint8Array[] = [
      Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]),
      new Uint8Array(encode({ not: 'an array' })),
      new Uint8Array(encode('just a string')),
      encodeFrames([{ t: 9, st: 'u/', d: 'unknown type' } as unknown as Frame]),
      encodeFrames([{ t: 0, st: 'u/', d: 42 } as unknown as Frame]),
      encodeFrames([{ t: 0, st: 'u/', s: 1.5, d: 'fractional seq' } as unknown as Frame]),
      encodeFrames([{ t: 0, st: 'u/', s: 2 ** 60, d: 'unsafe seq' } as unknown as Frame]),
      encodeFrames([{ t: 0, st: 'x'.repeat(500), d: 'long stream' } as unknown as Frame]),
      encodeFrames([{ t: 1, st: 'u/', s: -5 } as unknown as Frame]),
      forgedChunk,
    ];
    for (const j of junk) raw().send(j as Uint8Array<ArrayBuffer>);
    await waitFor(() => victimLinks.stats().malformedMessages >= junk.length, 10_000, 'malformed messages counted');
    await settle();

    // 2. A frame naming another sender: there is no such field, the link's user is the sender.
    toVictim([
      { t: FrameType.Message, st: 'u/', d: 'I am carol', from: 'carol', uid: 'carol' } as unknown as Frame,
      { t: FrameType.Message, st: 'b/R', d: 'carol says hi', from: 'carol' } as unknown as Frame,
    ]);
    await settle();

    // 3. Payloads over maxMessageBytes (64 KiB), text and binary, which no honest client sends:
    //    the link path enforces the limit like the relay does. Exactly the limit is fine.
    toVictim([
      { t: FrameType.Message, st: 'u/', d: 'x'.repeat(65_537) },
      { t: FrameType.Message, st: 'u/', b: 1, d: new Uint8Array(200_000) },
      { t: FrameType.Message, st: 'b/R', d: 'é'.repeat(40_000) }, // 80,000 UTF-8 bytes
      { t: FrameType.Message, st: 'u/', b: 1, d: new Uint8Array(65_536) },
    ]);
    await settle();

    // 4. Frames for a room mallory is not in (the relay checks membership; a link must too).
    toVictim([
      { t: FrameType.Message, st: 'b/R2', d: 'intruder broadcast' },
      { t: FrameType.Message, st: 'u/R2', d: 'intruder message' },
      { t: FrameType.Message, st: 'b/R9', d: 'no such room' },
    ]);
    await settle();

    // 5. Sequence games on mallory's own stream: a real message first, then a flood of frames far
    //    ahead (held back, never delivered), then mallory's next real message still gets through.
    const legit = mallory.rts.sendMessage('victim', 'legit 1');
    expect(await resultsOf(mallory.rec, 'onMessageSendResult', [legit])).toEqual([0]);
    const far = 2 ** 50;
    for (let i = 0; i < 40; i++) {
      toVictim(Array.from({ length: 50 }, (_, k) => ({ t: FrameType.Message, st: 'u/', s: far + i * 1000 + k * 7, d: 'y'.repeat(4000) })));
    }
    await settle();
    const legit2 = mallory.rts.sendMessage('victim', 'legit 2');
    expect(await resultsOf(mallory.rec, 'onMessageSendResult', [legit2])).toEqual([0]);

    // 6. Forged acknowledgements far ahead of anything the victim sent, on its room stream and its
    //    stream to mallory: they must not push the victim's counters anywhere.
    toVictim([
      { t: FrameType.Ack, st: 'b/R', s: 2 ** 53 - 2 },
      { t: FrameType.Ack, st: 'u/', s: 2 ** 53 - 2 },
      { t: FrameType.Ack, st: 'u/R', s: 2 ** 52 },
    ]);
    await settle();

    // The victim still talks to everyone normally, mallory included.
    const relayedBefore = relayed(srv);
    const bIds = [victim.room.sendRoomMessage('after 1'), victim.room.sendRoomMessage('after 2')];
    const pIds = [victim.rts.sendMessage('mallory', 'to mallory'), victim.rts.sendMessage('carol', 'to carol')];
    const r2 = victimR2.room.sendRoomMessage('R2 after');
    expect(await resultsOf(victim.roomRec, 'onRoomMessageSendResult', bIds)).toEqual([200, 200]);
    expect(await resultsOf(victim.rec, 'onMessageSendResult', pIds)).toEqual([0, 0]);
    expect(await resultsOf(victimR2.rec, 'onRoomMessageSendResult', [r2])).toEqual([200]);
    expect(texts(carol.roomRec, 'onRoomMessageReceived')).toEqual(['victim:after 1', 'victim:after 2']);
    expect(texts(mallory.roomRec, 'onRoomMessageReceived')).toEqual(['victim:after 1', 'victim:after 2']);
    expect(texts(carolR2.rec, 'onRoomMessageReceived')).toEqual(['victim:R2 after']);
    expect(texts(mallory.rec, 'onMessageReceived')).toEqual(['victim:to mallory']);
    expect(relayed(srv)).toBe(relayedBefore);
    const fromCarol = carol.room.sendRoomMessage('carol to all');
    expect(await resultsOf(carol.roomRec, 'onRoomMessageSendResult', [fromCarol])).toEqual([200]);

    // Everything the victim delivered, per callback target: nothing bogus, all of it mallory's own.
    expect(deliveries(victim.rec)).toEqual([
      'onMessageReceived mallory sentinel 1',
      'onMessageReceived mallory I am carol',
      'onMessageReceived mallory sentinel 2',
      'onBinaryMessageReceived mallory <65536 bytes>',
      'onMessageReceived mallory sentinel 3',
      'onMessageReceived mallory sentinel 4',
      'onMessageReceived mallory legit 1',
      'onMessageReceived mallory sentinel 5',
      'onMessageReceived mallory legit 2',
      'onMessageReceived mallory sentinel 6',
    ]);
    expect(deliveries(victim.roomRec)).toEqual(['onRoomMessageReceived mallory carol says hi', 'onRoomMessageReceived carol carol to all']);
    expect(deliveries(victimR2.rec)).toEqual([]);

    // 7. A flood of malformed messages: the victim closes that link (and only that one); mallory
    //    is still a logged-in user, so its messages keep arriving (by relay, or a new link).
    const carolLid = victimLinks.linkFor('carol')!.lid;
    const floodLid = victimLinks.linkFor('mallory')!.lid;
    for (let i = 0; i < 100; i++) raw().send(Uint8Array.of(0xc1, i));
    await waitFor(() => victimLinks.linkFor('mallory')?.lid !== floodLid, 10_000, 'the flooding link closed');
    await victim.rec.wait('onPeerLinkStateChanged', (uid, state) => uid === 'mallory' && state === 'relay');
    const viaRelay = mallory.rts.sendMessage('victim', 'after the flood');
    expect(await resultsOf(mallory.rec, 'onMessageSendResult', [viaRelay])).toEqual([0]);
    await victim.rec.wait('onMessageReceived', (from, text) => from === 'mallory' && text === 'after the flood');
    expect(victimLinks.linkFor('carol')!.lid).toBe(carolLid);
    expect(victimLinks.isOpen('carol')).toBe(true);
    const last = victim.room.sendUserMessage('carol', 'still here');
    expect(await resultsOf(victim.roomRec, 'onUserMessageSendResult', [last])).toEqual([0]);
  }, 60_000);
});
