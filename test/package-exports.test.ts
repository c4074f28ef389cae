// Other programs import exactly these entry points of the built package (npm test builds first).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';

describe('package entry points', () => {
  it('rtsmesh/client exports createRTS, the code enums and the version', async () => {
    const client = await import('rtsmesh/client');
    expect(typeof client.createRTS).toBe('function');
    expect(client.LoginErrorCode.InvalidToken).toBe(-1000);
    expect(client.RoomMessageSendResult.Success).toBe(200);
    expect(client.ConnectionState.Reconnected).toBe(5);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const rts = client.createRTS('0123456789abcdef01234567', {}, { server: 'http://127.0.0.1:9' });
    expect(rts.getSdkVersion()).toBe(pkg.version);
    rts.destroyRTS();
  });

  it('rtsmesh/signaling exports createSignalingServer', async () => {
    const signaling = await import('rtsmesh/signaling');
    expect(typeof signaling.createSignalingServer).toBe('function');
  });

  it('rtsmesh/shared exports codes, limits, createToken and verifyToken', async () => {
    const shared = await import('rtsmesh/shared');
    expect(shared.DEFAULT_LIMITS.maxMessageBytes).toBe(65_536);
    expect(shared.UserMessageSendResult.ExceedMaxLength).toBe(103);
    const token = shared.createToken({ appId: '0123456789abcdef01234567', appKey: 'k', userId: 'u' });
    expect(shared.verifyToken(token, { appId: '0123456789abcdef01234567', appKey: 'k', userId: 'u' }).ok).toBe(true);
  });

  it('rtsmesh/shared exports the signaling link\'s socket.io parser, for clients of their own', async () => {
    const { socketParser } = await import('rtsmesh/shared');
    const packet = { type: 2, nsp: '/', data: ['relay:frame', { to: 'bob', frame: new Uint8Array([1, 2]) }], id: 7 };
    const [message] = new socketParser.Encoder().encode(packet);
    const decoded: unknown[] = [];
    new socketParser.Decoder().on('decoded', (p) => decoded.push(p)).add(message);
    expect(decoded).toEqual([packet]);
  });
});
