// P2Server through the SDK (SPEC §7): setServerParams and sendServerMessage against a real
// signaling server posting to a real HTTP server started by the test.
import { describe, expect, it } from 'vitest';
import { UserMessageSendResult } from '../client/index.js';
import { useTestbed, type Recorder } from './helpers/rts-clients.js';
import { closedPort, startHttpServer, type TestServer } from './helpers/server.js';

/** The test app servers listen on loopback, which the operator allows here explicitly. */
const P2SERVER_ON_LOOPBACK = { p2server: { allowPrivateTargets: true } };

const closers: Array<() => Promise<void>> = [];
const bed = useTestbed(async () => {
  for (const c of closers.splice(0)) await c();
});
const { clients } = bed;
let srv: TestServer;

const serverResult = async (rec: Recorder, msgId: number): Promise<[number, string]> => {
  const [, code, body] = await rec.wait('onServerMessageSendResult', (id) => id === msgId);
  return [code as number, body as string];
};

async function appServer(status: number, body: string): Promise<{ url: string; posts: Array<Record<string, unknown>> }> {
  const posts: Array<Record<string, unknown>> = [];
  const http = await startHttpServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      posts.push(JSON.parse(raw) as Record<string, unknown>);
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(body);
    });
  });
  closers.push(() => http.close());
  return { url: `${http.url}/rts`, posts };
}

describe('P2Server', () => {
  it('before login: setServerParams → 105, sendServerMessage → 105', async () => {
    srv = await bed.start(P2SERVER_ON_LOOPBACK);
    const { rts, rec } = clients.create();
    expect(rts.setServerParams('sig', 'http://127.0.0.1:1/x')).toBe(0);
    const [code] = await rec.wait('onServerParamsSetResult');
    expect(code).toBe(105);
    expect((await serverResult(rec, rts.sendServerMessage('x')))[0]).toBe(UserMessageSendResult.NotLogin);
  });

  it('params not set → ServerParamsNotSet (106)', async () => {
    srv = await bed.start(P2SERVER_ON_LOOPBACK);
    const alice = await clients.login('alice');
    expect((await serverResult(alice.rec, alice.rts.sendServerMessage('x')))[0]).toBe(UserMessageSendResult.ServerParamsNotSet);
  });

  it('HTTP 200 → Success with the body; text and binary posted as the spec says', async () => {
    srv = await bed.start(P2SERVER_ON_LOOPBACK);
    const app = await appServer(200, 'pong');
    const alice = await clients.login('alice');
    alice.rts.setServerParams('my-signature', app.url);
    const [set] = await alice.rec.wait('onServerParamsSetResult');
    expect(set).toBe(200);
    const id = alice.rts.sendServerMessage('ping');
    expect(await serverResult(alice.rec, id)).toEqual([0, 'pong']);
    const idBin = alice.rts.sendServerBinaryMessage(new Uint8Array([1, 2, 3]));
    expect(await serverResult(alice.rec, idBin)).toEqual([0, 'pong']);
    expect(app.posts[0]).toMatchObject({ message: 'ping', signature: 'my-signature', userId: 'alice', appId: srv.appId, messageId: id });
    expect(app.posts[1]).toMatchObject({ message: Buffer.from([1, 2, 3]).toString('base64'), binary: true });
  });

  it('non-200 → E2BSReturnFailed (18); unreachable → E2BSSendFailed (17)', async () => {
    srv = await bed.start(P2SERVER_ON_LOOPBACK);
    const app = await appServer(500, 'oops');
    const alice = await clients.login('alice');
    alice.rts.setServerParams('s', app.url);
    await alice.rec.wait('onServerParamsSetResult');
    expect((await serverResult(alice.rec, alice.rts.sendServerMessage('x')))[0]).toBe(UserMessageSendResult.E2BSReturnFailed);
    alice.rts.setServerParams('s', `http://127.0.0.1:${await closedPort()}/x`);
    await alice.rec.wait('onServerParamsSetResult', () => alice.rec.count('onServerParamsSetResult') === 2);
    expect((await serverResult(alice.rec, alice.rts.sendServerMessage('x')))[0]).toBe(UserMessageSendResult.E2BSSendFailed);
  });

  it('a URL that is not http(s) is refused (not 200)', async () => {
    srv = await bed.start(P2SERVER_ON_LOOPBACK);
    const alice = await clients.login('alice');
    alice.rts.setServerParams('s', 'ftp://example/x');
    const [code] = await alice.rec.wait('onServerParamsSetResult');
    expect(code).not.toBe(200);
  });

  it('21 server messages in a burst: the 21st → ExceedQPS (5)', async () => {
    srv = await bed.start(P2SERVER_ON_LOOPBACK);
    const app = await appServer(200, 'ok');
    const alice = await clients.login('alice');
    alice.rts.setServerParams('s', app.url);
    await alice.rec.wait('onServerParamsSetResult');
    const ids = Array.from({ length: 21 }, () => alice.rts.sendServerMessage('x'));
    const codes = await Promise.all(ids.map(async (id) => (await serverResult(alice.rec, id))[0]));
    expect(codes.slice(0, 20)).toEqual(Array(20).fill(0));
    expect(codes[20]).toBe(UserMessageSendResult.ExceedQPS);
  });
});
