// TURN REST credentials minted by the signaling server, checked against a real coturn: a fresh
// credential allocates a relay, an expired one or one made with another secret does not.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  iceOptionsError, mintIceServers, turnCredential, type IceServer,
} from '../signaling/domain/ice-servers.js';
import { startTurnServer, type TurnServer } from './helpers/coturn.js';
import { waitFor } from './helpers/server.js';

type NativePeerConnection = {
  onLocalCandidate(cb: (candidate: string) => void): void;
  onGatheringStateChange(cb: (state: string) => void): void;
  createDataChannel(label: string): unknown;
  close(): void;
};
const ndc = createRequire(import.meta.url)('node-datachannel') as {
  PeerConnection: new (name: string, config: { iceServers: string[]; iceTransportPolicy: 'relay' }) => NativePeerConnection;
};

/** Relay candidates libdatachannel gathers from this TURN server with these credentials. */
async function relayCandidates(server: IceServer): Promise<string[]> {
  // libdatachannel takes the credentials inside the URL and splits them at ':', so the REST
  // username (which contains one) must be percent-encoded.
  const [scheme, rest] = server.urls[0].split(/:(.*)/s);
  const url = `${scheme}:${encodeURIComponent(server.username!)}:${encodeURIComponent(server.credential!)}@${rest}`;
  const pc = new ndc.PeerConnection('turn-probe', { iceServers: [url], iceTransportPolicy: 'relay' });
  const found: string[] = [];
  pc.onLocalCandidate((c) => {
    if (/ typ relay /.test(c)) found.push(c);
  });
  const complete = new Promise<void>((resolve) => pc.onGatheringStateChange((s) => s === 'complete' && resolve()));
  pc.createDataChannel('probe');
  await Promise.race([complete, new Promise((r) => setTimeout(r, 8000))]);
  pc.close();
  return found;
}

describe('TURN REST credentials', () => {
  it('follow coturn\'s scheme: "<expiry>:<uid>" and base64(HMAC-SHA1(secret, username))', () => {
    // Reference value computed with: printf '1700000000:alice' | openssl dgst -sha1 -hmac s3cret -binary | base64
    expect(turnCredential('s3cret', 'alice', 1_700_000_000)).toEqual({
      username: '1700000000:alice',
      credential: 'TtElzSjT0GdnTQ9xdcRNxx96yQs=',
    });
  });

  it('expire after the TTL (default 14,400 s) and carry STUN URLs as they are', () => {
    const now = 1_700_000_000_123;
    const minted = mintIceServers({ stun: ['stun:stun.example.org:3478'], turn: { urls: ['turn:t.example.org:3478'], secret: 'x' } }, 'bob', now);
    expect(minted.iceServers[0]).toEqual({ urls: ['stun:stun.example.org:3478'] });
    expect(minted.iceServers[1].username).toBe('1700014400:bob');
    expect(minted.expiresAtMs).toBe(1_700_014_400_000);
    expect(mintIceServers({ turn: { urls: ['turn:t:1'], secret: 'x', ttlSeconds: 60 } }, 'bob', now).iceServers[0].username).toBe('1700000060:bob');
    expect(mintIceServers({}, 'bob', now)).toEqual({ iceServers: [] });
  });

  it('refuse a configuration that cannot work, with a message naming the field', () => {
    expect(iceOptionsError(undefined)).toBeNull();
    expect(iceOptionsError({ turn: { urls: ['turn:h:3478'], secret: 's' } })).toBeNull();
    expect(iceOptionsError({ turn: { urls: ['turn:h:3478'], secret: '' } })).toMatch(/ice\.turn\.secret/);
    expect(iceOptionsError({ turn: { urls: ['http://h'], secret: 's' } })).toMatch(/ice\.turn\.urls/);
    expect(iceOptionsError({ turn: { urls: [], secret: 's' } })).toMatch(/ice\.turn\.urls/);
    expect(iceOptionsError({ turn: { urls: ['turn:h'], secret: 's', ttlSeconds: 0 } })).toMatch(/ttlSeconds/);
    expect(iceOptionsError({ turn: { urls: ['turn:h'], secret: 's', ttlSeconds: 1.5 } })).toMatch(/ttlSeconds/);
    expect(iceOptionsError({ stun: ['turn:h'] })).toMatch(/ice\.stun/);
  });

  describe('against a real coturn', () => {
    let turn: TurnServer;
    const secret = `test-secret-${process.pid}`;
    beforeAll(async () => {
      turn = await startTurnServer({ secret });
    });
    afterAll(async () => {
      await turn?.stop();
    });

    it('a fresh credential allocates a relay', async () => {
      const { iceServers } = mintIceServers({ turn: { urls: [turn.url], secret } }, 'alice');
      expect(await relayCandidates(iceServers[0])).toHaveLength(1);
      // coturn logs the allocation on its own schedule, sometimes after the candidate arrived.
      const allocated = /user <\d+:alice>: incoming packet ALLOCATE processed, success/;
      await waitFor(() => allocated.test(turn.output()), 5000, 'coturn to log the allocation').catch(() => undefined);
      expect(turn.output()).toMatch(allocated);
    });

    it('an expired credential is refused', async () => {
      const { iceServers } = mintIceServers({ turn: { urls: [turn.url], secret, ttlSeconds: 1 } }, 'carol', Date.now() - 60_000);
      expect(await relayCandidates(iceServers[0])).toEqual([]);
    });

    it('a credential made with another secret is refused', async () => {
      const { iceServers } = mintIceServers({ turn: { urls: [turn.url], secret: 'not-the-secret' } }, 'dave');
      expect(await relayCandidates(iceServers[0])).toEqual([]);
      expect(turn.output()).not.toMatch(/user <\d+:dave>: incoming packet ALLOCATE processed, success/);
    });
  });
});
