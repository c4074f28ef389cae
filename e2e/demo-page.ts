// Drives the demo app (demo/) the way a person does: through its controls, read back
// through the data-testid hooks of index.html. Nothing here calls the SDK directly except
// nextSysStats(), which only listens for the engine's periodic stats (window.rtsDemo.rts).
import { expect, type BrowserContext, type Locator, type Page } from '@playwright/test';

export type PeerPath = 'p2p' | 'relay' | 'connecting' | 'closed';

/** ConnectionState (SPEC §4), as the demo writes it to the badge's data-state. */
export const ConnectionState = {
  Disconnected: 1, Connecting: 2, Connected: 3, Reconnecting: 4, Reconnected: 5, Lost: 6, Failed: 7,
} as const;

/** Long enough for ICE + a login on a busy 2-core machine; no assertion is about speed. */
const LINK_TIMEOUT_MS = 20_000;

/** Peer links in e2e tests stay on loopback (the SDK's iceAddresses; the demo takes it from the URL). */
export const E2E_ICE_ADDRESSES: readonly string[] = ['127.0.0.1'];

export interface OpenOptions {
  room?: string;
  relayOnly?: boolean;
  /** Addresses peer links may use; default E2E_ICE_ADDRESSES. */
  iceAddresses?: readonly string[];
}

export class DemoPage {
  private constructor(readonly page: Page, readonly uid: string, readonly room: string) {}

  /** Opens the demo for `uid` in `context` (one context per user: own storage, own permissions). */
  static async open(context: BrowserContext, baseUrl: string, uid: string, opts: OpenOptions = {}): Promise<DemoPage> {
    const room = opts.room ?? 'lobby';
    const page = await context.newPage();
    const query = new URLSearchParams({
      uid, room, ...(opts.relayOnly ? { relayOnly: '1' } : {}), iceAddresses: (opts.iceAddresses ?? E2E_ICE_ADDRESSES).join(','),
    });
    await page.goto(`${baseUrl}/?${query}`);
    await expect(page.locator('body')).toHaveAttribute('data-ready', '1');
    await expect(page.getByTestId('uid-input')).toHaveValue(uid);
    return new DemoPage(page, uid, room);
  }

  /**
   * Addresses of the selected ICE candidate pair of this page's link to `uid` (getStats on the
   * SDK's connection, through window.rtsDemo). A peer-reflexive remote may have no address.
   */
  async selectedPair(uid: string): Promise<{ initiator: boolean; local?: string; remote?: string }> {
    return this.page.evaluate(async (peer) => {
      type Stat = Record<string, unknown>;
      type Link = { initiator: boolean; rtcPeerConnection: RTCPeerConnection | null };
      const w = window as unknown as { rtsDemo: { rts: { debugLinkManager(): { linkFor(u: string): Link | undefined } | null } } };
      const link = w.rtsDemo.rts.debugLinkManager()?.linkFor(peer);
      const pc = link?.rtcPeerConnection;
      if (!pc) throw new Error(`no peer connection to ${peer}`);
      const stats = await pc.getStats();
      let pair: Stat | undefined;
      stats.forEach((s: Stat) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId as string) as Stat;
      });
      if (!pair) throw new Error('no selected candidate pair');
      const address = (id: unknown): string | undefined => {
        const c = stats.get(id as string) as Stat | undefined;
        return (c?.address ?? c?.ip) as string | undefined;
      };
      return { initiator: link!.initiator, local: address(pair.localCandidateId), remote: address(pair.remoteCandidateId) };
    }, uid);
  }

  byTestId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  async login(): Promise<void> {
    await this.byTestId('login-button').click();
    await expect(this.page.locator('body')).toHaveAttribute('data-session', 'in', { timeout: LINK_TIMEOUT_MS });
    await expect(this.byTestId('whoami')).toContainText(this.uid);
  }

  async join(): Promise<void> {
    await expect(this.byTestId('room-input')).toHaveValue(this.room);
    await this.byTestId('join-button').click();
    await expect(this.page.locator('body')).toHaveAttribute('data-room', 'joined', { timeout: LINK_TIMEOUT_MS });
    await expect(this.byTestId('chat-title')).toHaveText(`# ${this.room}`);
  }

  async loginAndJoin(): Promise<void> {
    await this.login();
    await this.join();
  }

  /** The member entry of another user in the room's member list. */
  member(uid: string): Locator {
    return this.page.locator(`[data-testid="member"][data-uid="${uid}"]`);
  }

  /** Waits until `uid` is listed and messages to them take `path` (live from onPeerLinkStateChanged). */
  async expectPath(uid: string, path: PeerPath, timeout = LINK_TIMEOUT_MS): Promise<void> {
    await expect(this.member(uid)).toHaveAttribute('data-path', path, { timeout });
    await expect(this.member(uid).getByTestId('member-path')).toHaveText(PATH_LABEL[path]);
  }

  /** Waits until exactly `uids` are the other members listed, each on `path`. */
  async expectMembers(uids: readonly string[], path?: PeerPath, timeout = LINK_TIMEOUT_MS): Promise<void> {
    await expect(this.byTestId('member-count')).toHaveText(String(uids.length), { timeout });
    for (const uid of uids) {
      await expect(this.member(uid)).toBeVisible({ timeout });
      if (path) await this.expectPath(uid, path, timeout);
    }
  }

  /** Sends a room message through the chat box; resolves when the SDK reports delivery (code 200). */
  async sendRoom(text: string): Promise<void> {
    await this.byTestId('chat-input').fill(text);
    await this.byTestId('send-button').click();
    await this.expectDelivered(this.ownMessage('room', text));
  }

  /** Sends a direct (P2P) message; resolves when the SDK reports delivery (code 0). */
  async sendDirect(to: string, text: string): Promise<void> {
    await this.byTestId('dm-target').fill(to);
    await this.byTestId('dm-input').fill(text);
    await this.byTestId('dm-send-button').click();
    await this.expectDelivered(this.ownMessage('direct', text));
  }

  /** Picks a file in the file input: the demo sends it at once as one binary message. */
  async sendFile(file: { name: string; mimeType: string; buffer: Buffer }, to: 'room' | { uid: string }): Promise<void> {
    if (to === 'room') {
      await this.byTestId('file-target').selectOption('room');
    } else {
      await this.byTestId('dm-target').fill(to.uid);
      await this.byTestId('file-target').selectOption('direct');
    }
    await this.byTestId('file-input').setInputFiles(file);
    const own = this.page.locator('[data-testid="message"][data-kind="file"].msg-own')
      .filter({ hasText: `file: ${file.name}` }).last();
    await this.expectDelivered(own);
  }

  private ownMessage(kind: 'room' | 'direct', text: string): Locator {
    return this.page.locator(`[data-testid="message"][data-kind="${kind}"][data-from="${this.uid}"]`)
      .filter({ has: this.page.locator('.msg-body', { hasText: text }) }).last();
  }

  private async expectDelivered(li: Locator): Promise<void> {
    await expect(li).toBeVisible();
    await expect(li, `send result of "${await li.textContent()}"`).toHaveAttribute('data-status', 'delivered', { timeout: LINK_TIMEOUT_MS });
  }

  /** Messages received from `from` of `kind` (room | direct | file) whose body contains `text`. */
  received(kind: 'room' | 'direct' | 'file', from: string, text?: string): Locator {
    const all = this.page.locator(`[data-testid="message"][data-kind="${kind}"][data-from="${from}"]:not(.msg-own)`);
    return text === undefined ? all : all.filter({ has: this.page.locator('.msg-body', { hasText: text }) });
  }

  /** Waits for exactly one received message of `kind` from `from` with `text` (no duplicates). */
  async expectReceived(kind: 'room' | 'direct' | 'file', from: string, text: string): Promise<void> {
    await expect(this.received(kind, from, text)).toHaveCount(1, { timeout: LINK_TIMEOUT_MS });
  }

  /**
   * A received file message from `from` that came `via` room | direct, with the given file name:
   * the demo shows `file: <name> (<size>)` and a download link to the received bytes.
   */
  receivedFile(from: string, via: 'room' | 'direct', name: string): Locator {
    return this.page.locator(`[data-testid="message"][data-kind="file"][data-from="${from}"][data-via="${via}"]:not(.msg-own)`)
      .filter({ hasText: `file: ${name} (` });
  }

  /** The bytes behind a file message's download link (the blob the page made of what it received). */
  async fileBytes(message: Locator): Promise<Uint8Array> {
    const href = await message.getByTestId('file-link').getAttribute('href');
    if (!href) throw new Error('the file message has no download link');
    const bytes = await this.page.evaluate(async (url) => Array.from(new Uint8Array(await (await fetch(url)).arrayBuffer())), href);
    return Uint8Array.from(bytes);
  }

  /** System lines of the chat log (joins, reconnects, …). */
  systemMessages(text?: string | RegExp): Locator {
    const all = this.page.locator('[data-testid="message"][data-kind="system"]');
    return text === undefined ? all : all.filter({ hasText: text });
  }

  get connectionState(): Locator {
    return this.byTestId('connection-state');
  }

  async expectConnectionState(state: keyof typeof ConnectionState, timeout = LINK_TIMEOUT_MS): Promise<void> {
    await expect(this.connectionState).toHaveAttribute('data-state', String(ConnectionState[state]), { timeout });
    await expect(this.connectionState).toHaveText(state);
  }

  /** The mesh picture's line from this user to `uid`. */
  meshLink(uid: string): Locator {
    return this.page.locator(`[data-testid="mesh-svg"] .mesh-link[data-uid="${uid}"]`);
  }

  /**
   * Waits for the engine's next onSysStats (every 2 s), after which the stats panel shows
   * counters that include everything sent so far: screenshots then show matching numbers.
   */
  async nextSysStats(): Promise<void> {
    await this.page.evaluate(() => new Promise<void>((resolve) => {
      const rts = (window as unknown as { rtsDemo: { rts: { once(ev: string, fn: () => void): void } } }).rtsDemo.rts;
      rts.once('onSysStats', () => requestAnimationFrame(() => resolve()));
    }));
  }

  async screenshot(path: string): Promise<Buffer> {
    return this.page.screenshot({ path, fullPage: true });
  }
}

const PATH_LABEL: Record<PeerPath, string> = { p2p: 'P2P', relay: 'Relay', connecting: 'Connecting…', closed: 'Closed' };

/** Waits until every page lists every other page's user as a member on the P2P path, mesh picture included. */
export async function expectFullP2PMesh(pages: readonly DemoPage[]): Promise<void> {
  for (const p of pages) {
    const others = pages.filter((o) => o !== p).map((o) => o.uid);
    await p.expectMembers(others, 'p2p');
    for (const uid of others) await expect(p.meshLink(uid)).toHaveAttribute('data-path', 'p2p');
  }
}
