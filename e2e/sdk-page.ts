// The SDK driven by script inside a browser page, for tests that are about the SDK in a browser
// rather than about the demo UI: any browser (Playwright's Chromium, Firefox through
// puppeteer-core) and any way the page got the SDK (/rtsmesh.js from the server, an app built
// by Vite). The page side is plain JavaScript (HARNESS_JS) that records every engine and room
// callback; the Node side (SdkPage) reads that record by polling. Large texts and byte arrays are
// recorded as a digest (length + FNV-1a), computed the same way on both sides by digest().

/**
 * Page-side script. It defines `globalThis.installRtsHarness(sdk)`, which puts `window.rtsHarness`
 * on the page; `sdk` is the module namespace of rtsmesh's client (import('/rtsmesh.js') or
 * 'rtsmesh/client').
 */
export const HARNESS_JS = String.raw`
function digest(data) {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return (typeof data === 'string' ? 'text' : 'bytes') + ':' + bytes.length + ':' + h.toString(16);
}
function record(v) {
  if (v instanceof Uint8Array) return digest(v);
  if (typeof v === 'string' && v.length > 256) return digest(v);
  if (v === undefined) return null;
  return v;
}
function pattern(seed, length) {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}
globalThis.installRtsHarness = function installRtsHarness(sdk) {
  const calls = [];
  const recorder = (src) => new Proxy({}, {
    get: (_t, name) => (typeof name === 'string' ? (...args) => { calls.push({ src, name, args: args.map(record) }); } : undefined),
  });
  let rts = null;
  let room = null;
  window.rtsHarness = {
    calls: (from = 0) => calls.slice(from),
    visibility: () => document.visibilityState,
    async login(uid, params) {
      const { appId, token } = await (await fetch(params.server + '/dev/token?uid=' + encodeURIComponent(uid))).json();
      rts = sdk.createRTS(appId, recorder('rts'), params);
      rts.login(token, uid);
    },
    join(roomId) {
      room = rts.createRoom(roomId);
      room.setRTSRoomDelegate(recorder('room'));
      room.joinRoom();
    },
    sendText(uid, text, config) { return rts.sendMessage(uid, text, config); },
    sendPattern(uid, seed, length, config) { return rts.sendBinaryMessage(uid, pattern(seed, length), config); },
    sendPatterns(uid, seeds, length) { return seeds.map((seed) => rts.sendBinaryMessage(uid, pattern(seed, length))); },
    sendRoomText(text) { return room.sendRoomMessage(text); },
    destroy() { if (rts) rts.destroyRTS(); rts = null; room = null; },
  };
};
`;

/** Node-side twin of the page's digest(). */
export function digest(data: string | Uint8Array): string {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return `${typeof data === 'string' ? 'text' : 'bytes'}:${bytes.length}:${h.toString(16)}`;
}

/** The bytes the page's sendPattern(uid, seed, length) sends. */
export function pattern(seed: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

/** Evaluates a JavaScript expression in the page (awaiting a promise). Playwright and puppeteer pages both fit. */
export type Evaluate = (expression: string) => Promise<unknown>;

export interface PageCall {
  src: 'rts' | 'room';
  name: string;
  args: unknown[];
}

/** Long enough for a login plus ICE on a busy 2-core machine; nothing here asserts speed. */
const WAIT_MS = 20_000;

/** Expression that installs the harness with the SDK imported from `specifier` (e.g. '/rtsmesh.js'). */
export function installExpression(specifier: string): string {
  return `(async () => { ${HARNESS_JS}; installRtsHarness(await import(${JSON.stringify(specifier)})); return true; })()`;
}

export class SdkPage {
  constructor(readonly uid: string, private readonly evaluate: Evaluate) {}

  private call(method: string, ...args: unknown[]): Promise<unknown> {
    return this.evaluate(`window.rtsHarness.${method}(${args.map((a) => JSON.stringify(a) ?? 'undefined').join(', ')})`);
  }

  async calls(): Promise<PageCall[]> {
    return (await this.call('calls')) as PageCall[];
  }

  /** Resolves with the first call of `name` whose arguments pass `pred` (one already made counts). */
  async wait(name: string, pred: (...args: any[]) => boolean = () => true, timeoutMs = WAIT_MS): Promise<unknown[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const all = await this.calls();
      const hit = all.find((c) => c.name === name && pred(...c.args));
      if (hit) return hit.args;
      if (Date.now() > until) {
        const recent = all.slice(-15).map((c) => `${c.src}.${c.name}(${c.args.map((a) => JSON.stringify(a)).join(', ')})`);
        throw new Error(`[${this.uid}] no ${name} matching within ${timeoutMs} ms; last calls:\n  ${recent.join('\n  ')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async of(name: string): Promise<unknown[][]> {
    return (await this.calls()).filter((c) => c.name === name).map((c) => c.args);
  }

  /** Logs in (token from the server's /dev/token) with peer links on 127.0.0.1 only. */
  async login(server: string, params: Record<string, unknown> = {}): Promise<void> {
    await this.call('login', this.uid, { server, iceAddresses: ['127.0.0.1'], ...params });
    const [, code] = await this.wait('onLoginResult');
    if (code !== 0) throw new Error(`login of ${this.uid} failed with ${String(code)}`);
  }

  async join(roomId: string): Promise<void> {
    await this.call('join', roomId);
    const [, , state] = await this.wait('onRoomStateChanged');
    if (state !== 0) throw new Error(`${this.uid} joining ${roomId} failed with ${String(state)}`);
  }

  async loginAndJoin(server: string, roomId: string): Promise<void> {
    await this.login(server);
    await this.join(roomId);
  }

  /** Waits until this page's engine reports the link to `peer` in `state`. */
  async linkState(peer: string, state: 'p2p' | 'relay'): Promise<void> {
    await this.wait('onPeerLinkStateChanged', (uid, s) => uid === peer && s === state);
  }

  async sendText(to: string, text: string, config?: number): Promise<number> {
    return (await this.call('sendText', to, text, config)) as number;
  }

  async sendPattern(to: string, seed: number, length: number, config?: number): Promise<number> {
    return (await this.call('sendPattern', to, seed, length, config)) as number;
  }

  /** Several messages sent in one task (so the SDK may put them in one data-channel message). */
  async sendPatterns(to: string, seeds: number[], length: number): Promise<number[]> {
    return (await this.call('sendPatterns', to, seeds, length)) as number[];
  }

  /** The code of the send result of message `id` (onMessageSendResult). */
  async sendResult(id: number): Promise<number> {
    const [, code] = await this.wait('onMessageSendResult', (msgId) => msgId === id);
    return code as number;
  }

  async visibility(): Promise<string> {
    return (await this.call('visibility')) as string;
  }

  async destroy(): Promise<void> {
    await this.call('destroy').catch(() => undefined);
  }
}
