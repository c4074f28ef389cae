// A page that runs two NativePeers (client/peer/native-peer.ts, the simple-peer@9 stand-in of the
// browser bundle) against each other on the browser's own RTCPeerConnection, for the Chromium and
// Firefox specs: signals pass as JSON on a later task (as through the signaling server); beyond
// what the SDK specs cover, ICE restarts with pc.restartIce() from either side (the SDK's links
// use them to recover a path).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from '@playwright/test';
import * as esbuild from 'esbuild';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>native-peer</title></head>
<body>
<script type="module">
  import NativePeer from '/native-peer.js';
  const waitFor = (cond, what) => new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => cond() ? resolve() : Date.now() - t0 > 15000 ? reject(new Error('timed out: ' + what)) : setTimeout(tick, 10);
    tick();
  });
  window.run = async () => {
    const events = { a: [], b: [] };
    const signals = { a: [], b: [] };
    const received = { a: [], b: [] };
    const pcs = {};
    const channels = {};
    const make = (key, initiator) => {
      // Connection and reliable channel caught the way the SDK's peer-link.ts catches them.
      class Watched extends RTCPeerConnection {
        constructor(c) { super(c); pcs[key] = this; this.addEventListener('datachannel', (e) => { channels[key] ??= e.channel; }); }
        createDataChannel(label, init) { const ch = super.createDataChannel(label, init); channels[key] ??= ch; return ch; }
      }
      const wrtc = { RTCPeerConnection: Watched, RTCSessionDescription, RTCIceCandidate };
      const p = new NativePeer({ initiator, trickle: true, config: { iceServers: [] }, wrtc, iceCompleteTimeout: 1 });
      p.on('signal', (d) => { signals[key].push(d); });
      p.on('connect', () => events[key].push('connect'));
      p.on('data', (d) => received[key].push(d instanceof Uint8Array ? Array.from(d) : 'not a Uint8Array'));
      p.on('error', (e) => events[key].push('error:' + e.code));
      p.on('close', () => events[key].push('close'));
      return p;
    };
    const a = make('a', true);
    const b = make('b', false);
    // As the SDK's link layer does, no signal goes to a peer once it is closed: the other end may
    // still trickle candidates of its last ICE restart after a.destroy().
    const gone = new Set();
    a.on('close', () => gone.add(a));
    b.on('close', () => gone.add(b));
    const wire = (from, to) => from.on('signal', (d) => { const json = JSON.stringify(d); setTimeout(() => { if (!gone.has(to)) to.signal(JSON.parse(json)); }, 0); });
    wire(a, b);
    wire(b, a);
    const count = (key, type) => signals[key].filter((s) => s.type === type).length;
    const rounds = (n) => waitFor(() => count('a', 'offer') === n && count('b', 'answer') === n
      && pcs.a.signalingState === 'stable' && pcs.b.signalingState === 'stable', n + ' offer/answer rounds');
    const roundTrip = async () => {
      const before = [received.a.length, received.b.length];
      channels.a.send(new Uint8Array([1, 2, 3, 0, 255]));
      channels.b.send(new Uint8Array(65536).map((_, i) => i % 251));
      await waitFor(() => received.a.length > before[0] && received.b.length > before[1], 'data both ways');
      const big = received.a.at(-1);
      return { small: received.b.at(-1), bigLength: big.length, bigOk: big.every((v, i) => v === i % 251) };
    };
    const steps = {};
    await waitFor(() => events.a.includes('connect') && events.b.includes('connect'), 'connect');
    steps.label = channels.a.label;
    steps.first = await roundTrip();
    pcs.a.restartIce();
    await rounds(2);
    steps.afterInitiatorRestart = await roundTrip();
    pcs.b.restartIce();
    await rounds(3);
    steps.afterAnswererRestart = await roundTrip();
    // What the SDK's ICE restart does (as simple-peer needs): restartIce() then negotiate().
    pcs.a.restartIce();
    a.negotiate();
    await rounds(4);
    steps.afterRestartAndNegotiate = await roundTrip();
    gone.add(a);
    a.destroy();
    await waitFor(() => events.a.includes('close') && events.b.includes('close'), 'close on both ends');
    const ufrag = (s) => /a=ice-ufrag:(\\S+)/.exec(s.sdp)?.[1];
    return {
      steps,
      events,
      offerUfrags: signals.a.filter((s) => s.type === 'offer').map(ufrag),
      answerUfrags: signals.b.filter((s) => s.type === 'answer').map(ufrag),
      renegotiateRequests: count('b', 'renegotiate'),
      candidateKeys: [...new Set([...signals.a, ...signals.b].filter((s) => s.type === 'candidate').map((s) => Object.keys(s.candidate).sort().join()))],
    };
  };
  window.ready = true;
</script>
</body></html>`;

/** Serves the page and NativePeer (built from the sources) on 127.0.0.1, port 0. */
export async function serveNativePeerPage(): Promise<{ url: string; close(): Promise<void> }> {
  const built = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('../client/peer/native-peer.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
  });
  const files: Record<string, [string, string]> = {
    '/': ['text/html', PAGE],
    '/native-peer.js': ['text/javascript', built.outputFiles[0]!.text],
  };
  const server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    res.writeHead(file ? 200 : 404, file ? { 'content-type': `${file[0]}; charset=utf-8` } : {});
    res.end(file?.[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What the page's run() returns; in the page: `await window.run()`. */
export const RUN_EXPRESSION = 'window.run()';

/** The checks on one run of the page (see PAGE). */
export function expectNativePeerRun(r: Record<string, unknown>): void {
  const steps = r.steps as Record<string, unknown>;
  expect(String(steps.label).startsWith('rtsmesh-')).toBe(false);
  for (const step of ['first', 'afterInitiatorRestart', 'afterAnswererRestart', 'afterRestartAndNegotiate']) {
    expect(steps[step], step).toEqual({ small: [1, 2, 3, 0, 255], bigLength: 65536, bigOk: true });
  }
  // Each restart brought new credentials on both sides (one round each): the initiator's own,
  // then (asked by the answerer, which cannot restart ICE in an answer) an ICE-restart offer.
  expect(new Set(r.offerUfrags as string[]).size).toBe(4);
  expect(new Set(r.answerUfrags as string[]).size).toBe(4);
  expect(r.renegotiateRequests).toBe(1);
  expect(r.candidateKeys).toEqual(['candidate,sdpMLineIndex,sdpMid']);
  expect(r.events).toEqual({ a: ['connect', 'close'], b: ['connect', 'close'] });
}
