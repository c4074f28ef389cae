// Where what arrives goes: messages from the messaging layer and from the app server (REST push)
// to the room or engine callbacks they are for, the server's room events to their rooms, WebRTC
// signaling straight to the link layer, and link paths to onPeerLinkStateChanged.
import type { CallbackEmitter } from './callbacks.js';
import type { Connection } from './connection.js';
import type { RTSEvents } from './events.js';
import type { LinkLayer } from './link-layer.js';
import { normalizePayload, type Messenger, type Payload } from './messaging/messenger.js';
import type { RTSRoom } from './room.js';

export interface InboundParts {
  conn: Connection;
  messenger: Messenger;
  links: LinkLayer;
  rooms: ReadonlyMap<string, RTSRoom>;
  events: CallbackEmitter<RTSEvents>;
}

export function routeInbound({ conn, messenger, links, rooms, events }: InboundParts): void {
  const outsideRooms = (from: string, data: Payload): void => {
    if (typeof data === 'string') {
      events.fire('onMessageReceived', from, data);
      events.fire('onUserMessageReceivedOutsideRoom', from, data);
    } else {
      events.fire('onBinaryMessageReceived', from, data);
      events.fire('onUserBinaryMessageReceivedOutsideRoom', from, data);
    }
  };
  messenger.on('message', (from, kind, roomId, data) => {
    if (kind === 'user' && roomId === '') outsideRooms(from, data);
    else rooms.get(roomId)?.deliver(kind, from, data);
  });
  conn.on('app:message', (ev) => {
    const data = normalizePayload(ev.data);
    if (ev.kind === 'user') outsideRooms(ev.from, data);
    else if (ev.roomId !== undefined) rooms.get(ev.roomId)?.deliver(ev.kind === 'room' ? 'broadcast' : 'user', ev.from, data);
  });
  conn.on('room:user-joined', (ev) => rooms.get(ev.roomId)?.onUserJoined(ev));
  conn.on('room:user-left', (ev) => rooms.get(ev.roomId)?.onUserLeft(ev.uid, ev.reason));
  conn.on('room:closed', (ev) => rooms.get(ev.roomId)?.onClosed(ev.code));
  conn.on('rtc:signal', (ev) => links.handleSignal(ev.from, ev.signal));
  links.on('path', (uid, state, reason) => events.fire('onPeerLinkStateChanged', uid, state, reason));
}
