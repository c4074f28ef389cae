// The socket.io protocol between client and signaling server: event names, payload schemas
// (validated on every inbound payload, both sides) and the typed event maps for socket.io's
// generics. Every client→server event takes an ack callback that receives a reply with `code`.
import { z } from 'zod';
import { DEFAULT_LIMITS, ID_PATTERN, type Limits } from './limits.js';

export const PROTOCOL_VERSION = 1;

const id = z.string().regex(ID_PATTERN);
/** socket.io delivers binary as Buffer in Node and ArrayBuffer/Uint8Array in browsers. */
export const bytes = z.custom<Uint8Array>(
  (v) => v instanceof Uint8Array || v instanceof ArrayBuffer,
  { message: 'expected binary' },
).transform((v) => (v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBuffer)));
const payload = z.union([z.string(), bytes]);

// ---- client → server ---------------------------------------------------------------------

export const LoginRequest = z.object({
  appId: z.string().min(1).max(64),
  uid: z.string().max(1024),
  token: z.string().max(4096),
  /** Random per engine; a re-login with the same sessionId resumes (no DuplicateLogin). */
  sessionId: z.string().min(8).max(64),
  businessId: z.string().max(128).optional(),
  sdkVersion: z.string().max(32).optional(),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const TokenUpdateRequest = z.object({ token: z.string().max(4096) });
export const ServerParamsRequest = z.object({ signature: z.string().max(4096), url: z.string().max(2048) });
export const ServerMessageRequest = z.object({ msgId: z.number().int().positive(), data: payload });
export const PresenceRequest = z.object({ uid: z.string().max(1024) });
export const JoinRoomRequest = z.object({
  roomId: z.string().max(1024),
  extraInfo: z.string().max(4096).default(''),
  /** true after a reconnect: others see onUserJoined again, the joiner gets join_type 1. */
  rejoin: z.boolean().default(false),
});
export const LeaveRoomRequest = z.object({ roomId: z.string().max(1024) });
/** A batch of data frames (see frame.ts) for one user, optionally scoped to a shared room. */
export const RelayFrameRequest = z.object({ to: z.string().max(1024), frame: bytes });
/** A batch of room-broadcast frames fanned out to every member but the sender and `except`. */
export const RelayRoomRequest = z.object({
  roomId: z.string().max(1024),
  except: z.array(id).max(10_000).default([]),
  frame: bytes,
});
export const RtcSignalRequest = z.object({
  to: z.string().max(1024),
  /** simple-peer signal data (offer/answer/candidate/renegotiate), or a link request. */
  signal: z.record(z.string(), z.unknown()),
});

// ---- server → client ---------------------------------------------------------------------

export const CodeReply = z.object({ code: z.number().int() });
export type CodeReply = z.infer<typeof CodeReply>;

export const LoginReply = z.object({
  code: z.number().int(),
  /** Set when this sessionId was replaced by a later login of the same uid. */
  displaced: z.boolean().optional(),
  limits: z.custom<Limits>().optional(),
  dropGraceMs: z.number().int().optional(),
  serverTime: z.number().optional(),
});
export type LoginReply = z.infer<typeof LoginReply>;

export const PresenceReply = z.object({ code: z.number().int(), status: z.number().int() });
export const ServerMessageReply = z.object({ code: z.number().int(), body: z.string().optional() });
export const MemberInfo = z.object({ uid: z.string(), extraInfo: z.string() });
export type MemberInfo = z.infer<typeof MemberInfo>;
export const JoinRoomReply = z.object({ code: z.number().int(), members: z.array(MemberInfo).default([]) });
export type JoinRoomReply = z.infer<typeof JoinRoomReply>;

export const KickedEvent = z.object({ reason: z.number().int() });
export const UserJoinedEvent = z.object({ roomId: z.string(), uid: z.string(), extraInfo: z.string() });
export const UserLeftEvent = z.object({ roomId: z.string(), uid: z.string(), reason: z.number().int() });
/** The server ended this session's membership: -1004 joined elsewhere, -1006 kicked, -1011 dismissed. */
export const RoomClosedEvent = z.object({ roomId: z.string(), code: z.number().int() });
/** `from` is stamped by the server from the authenticated session, never taken from a client. */
export const RelayFrameEvent = z.object({ from: z.string(), frame: bytes });
/** A message from the app server through the REST API (SPEC §8). */
export const AppMessageEvent = z.object({
  from: z.string(),
  kind: z.enum(['user', 'room-user', 'room']),
  roomId: z.string().optional(),
  data: payload,
});
export const RtcSignalEvent = z.object({ from: z.string(), signal: z.record(z.string(), z.unknown()) });

// ---- names and typed maps ------------------------------------------------------------------

type Ack<R> = (reply: R) => void;
type In<S extends z.ZodType> = z.input<S>;

export interface ClientToServerEvents {
  login: (req: In<typeof LoginRequest>, ack: Ack<LoginReply>) => void;
  logout: (req: Record<string, never>, ack: Ack<CodeReply>) => void;
  'token:update': (req: In<typeof TokenUpdateRequest>, ack: Ack<CodeReply>) => void;
  'server:params': (req: In<typeof ServerParamsRequest>, ack: Ack<CodeReply>) => void;
  'server:message': (req: In<typeof ServerMessageRequest>, ack: Ack<z.infer<typeof ServerMessageReply>>) => void;
  'presence:query': (req: In<typeof PresenceRequest>, ack: Ack<z.infer<typeof PresenceReply>>) => void;
  'room:join': (req: In<typeof JoinRoomRequest>, ack: Ack<JoinRoomReply>) => void;
  'room:leave': (req: In<typeof LeaveRoomRequest>, ack: Ack<CodeReply>) => void;
  'relay:frame': (req: In<typeof RelayFrameRequest>, ack: Ack<CodeReply>) => void;
  'relay:room': (req: In<typeof RelayRoomRequest>, ack: Ack<CodeReply>) => void;
  'rtc:signal': (req: In<typeof RtcSignalRequest>, ack: Ack<CodeReply>) => void;
}

export interface ServerToClientEvents {
  'session:kicked': (ev: z.infer<typeof KickedEvent>) => void;
  'room:user-joined': (ev: z.infer<typeof UserJoinedEvent>) => void;
  'room:user-left': (ev: z.infer<typeof UserLeftEvent>) => void;
  'room:closed': (ev: z.infer<typeof RoomClosedEvent>) => void;
  'relay:frame': (ev: z.input<typeof RelayFrameEvent>) => void;
  'app:message': (ev: z.input<typeof AppMessageEvent>) => void;
  'rtc:signal': (ev: z.infer<typeof RtcSignalEvent>) => void;
}

/** Reply code for a payload that failed its schema (client→server). */
export const MALFORMED_CODE = -2;

export { DEFAULT_LIMITS };
