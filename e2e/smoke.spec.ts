// Proves the browser stack works on this machine before any rtsmesh code is involved: Debian's
// Chromium launches under Playwright, a page loads from a local server, and two RTCPeerConnections
// connect over real (non-mDNS) host candidates and exchange text and binary on a data channel.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>webrtc smoke</title></head>
<body>
<script type="module">
  // Trickle ICE between two connections in the same page; no STUN/TURN, host candidates only.
  window.runLoopback = async () => {
    const a = new RTCPeerConnection({ iceServers: [] });
    const b = new RTCPeerConnection({ iceServers: [] });
    // Loopback only: candidates with any other address are neither exchanged nor kept in the SDP.
    const loopback = (line) => line.replace(/^a=/, '').split(' ')[4] === '127.0.0.1';
    const onlyLoopback = (d) => ({ type: d.type, sdp: d.sdp.split('\\r\\n').filter((l) => !l.startsWith('a=candidate:') || loopback(l)).join('\\r\\n') });
    const candidates = [];
    a.onicecandidate = (e) => { if (e.candidate && loopback(e.candidate.candidate)) { candidates.push(e.candidate.candidate); b.addIceCandidate(e.candidate); } };
    b.onicecandidate = (e) => { if (e.candidate && loopback(e.candidate.candidate)) { candidates.push(e.candidate.candidate); a.addIceCandidate(e.candidate); } };

    const received = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no data channel message within 20 s, ice=' + a.iceConnectionState)), 20000);
      b.ondatachannel = (e) => {
        const ch = e.channel;
        ch.binaryType = 'arraybuffer';
        const got = [];
        ch.onmessage = (m) => {
          got.push(typeof m.data === 'string' ? m.data : Array.from(new Uint8Array(m.data)));
          if (got.length === 2) { clearTimeout(timer); ch.send('pong'); resolve(got); }
        };
      };
    });
    const ch = a.createDataChannel('smoke');
    const pong = new Promise((resolve) => { ch.onmessage = (m) => resolve(m.data); });
    ch.onopen = () => { ch.send('hello over webrtc'); ch.send(new Uint8Array([1, 2, 3, 255])); };

    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(onlyLoopback(a.localDescription));
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(onlyLoopback(b.localDescription));

    const messages = await received;
    const reply = await pong;
    const selected = async (pc) => {
      const stats = await pc.getStats();
      let pair;
      stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
      const local = pair ? stats.get(pair.localCandidateId) : undefined;
      const remote = pair ? stats.get(pair.remoteCandidateId) : undefined;
      return { local: local?.address ?? local?.ip, localType: local?.candidateType, remote: remote?.address ?? remote?.ip };
    };
    const pairs = [await selected(a), await selected(b)];
    a.close(); b.close();
    return { messages, reply, candidates, pairs };
  };
  window.ready = true;
</script>
</body></html>`;

let server: Server;
let baseUrl: string;

test.beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

test('two RTCPeerConnections in one page exchange text and binary over a data channel', async ({ page }) => {
  await page.goto(`${baseUrl}/`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);

  const result = await page.evaluate(() =>
    (window as unknown as { runLoopback: () => Promise<{
      messages: unknown[];
      reply: string;
      candidates: string[];
      pairs: Array<{ local?: string; localType?: string; remote?: string }>;
    }> }).runLoopback(),
  );

  expect(result.messages).toEqual(['hello over webrtc', [1, 2, 3, 255]]);
  expect(result.reply).toBe('pong');
  // The camera/microphone permission in the config must give real host candidates, not mDNS names;
  // with the host-resolver rules in place, .local names could not be resolved at all.
  expect(result.candidates.length).toBeGreaterThan(0);
  expect(result.candidates.some((c) => c.includes('.local'))).toBe(false);
  expect(result.candidates.every((c) => c.split(' ')[4] === '127.0.0.1')).toBe(true);
  // Only 127.0.0.1 was exchanged: every pair has it at one end (libwebrtc may send to it from a
  // socket on another local interface; Chrome hides a peer-reflexive address as '').
  for (const pair of result.pairs) {
    expect(pair.localType).toBe('host');
    expect([pair.local, pair.remote]).toContain('127.0.0.1');
  }
});
