// Chooses the path for frames to one user — the direct link when it is open, else the server
// relay — counts what went each way, and hands frames arriving on either path to one listener
// (the sender is the path's authenticated user).
import type { Frame } from '../../shared/frame.js';
import type { Logger } from '../base-types.js';
import type { ChannelKind, LinkPath, LinkPathEvents, RelayPath, RelayPathEvents } from '../transport/types.js';

export interface PathRouterOptions {
  relay: RelayPath;
  links: LinkPath;
  logger: Logger;
  /** Frames from `uid`, from either path (`via` says which). */
  onFrames(uid: string, frames: Frame[], via: 'link' | 'relay'): void;
}

export class PathRouter {
  readonly counters = { relayedSent: 0, p2pSent: 0 };
  private readonly onRelayFrames: RelayPathEvents['frames'] = (uid, frames) => this.opts.onFrames(uid, frames, 'relay');
  private readonly onLinkFrames: LinkPathEvents['frames'] = (uid, frames) => this.opts.onFrames(uid, frames, 'link');

  constructor(private readonly opts: PathRouterOptions) {
    opts.relay.on('frames', this.onRelayFrames);
    opts.links.on('frames', this.onLinkFrames);
  }

  linkOpen(uid: string): boolean {
    return this.opts.links.isOpen(uid);
  }

  relayUp(): boolean {
    return this.opts.relay.isUp();
  }

  /** Sends over the link; false (nothing sent) when it is not open. */
  sendLink(uid: string, frames: Frame[], channel?: ChannelKind): boolean {
    if (!this.opts.links.send(uid, frames, channel)) return false;
    this.counters.p2pSent += frames.length;
    return true;
  }

  sendRelay(uid: string, frames: Frame[]): Promise<number> {
    this.counters.relayedSent += frames.length;
    return this.opts.relay.sendTo(uid, frames);
  }

  sendRelayRoom(roomId: string, except: string[], frames: Frame[]): Promise<number> {
    this.counters.relayedSent += frames.length;
    return this.opts.relay.sendRoom(roomId, except, frames);
  }

  /** Fire-and-forget frames (acks): link if open, else relay. */
  sendAny(uid: string, frames: Frame[]): void {
    if (this.sendLink(uid, frames)) return;
    this.sendRelay(uid, frames).catch((e: unknown) => this.opts.logger.warn('relay send failed', e));
  }

  destroy(): void {
    this.opts.relay.off('frames', this.onRelayFrames);
    this.opts.links.off('frames', this.onLinkFrames);
  }
}
