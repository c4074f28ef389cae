// The socket.io protocol between client and signaling server: payload schemas (validated on
// every inbound payload, both sides) and two tables that name every event: REQUESTS (client →
// server, each with an ack) and SERVER_EVENTS (server → client). The client's connection and the
// server's guard are both driven by these tables, and socket.io's typed event maps derive from them.
import { LoginErrorCode, RoomErrorCode, UserMessageSendResult } from './codes.js';
import { DEFAULT_LIMITS, ID_PATTERN, type Limits } from './limits.js';
import * as z from './zod.js';

/**
 * Sent with every login. A server refuses a client of another version with LoginFailed instead of
 * misreading its events; bump it on any change an older peer would misread.
 */
export const PROTOCOL_VERSION = 1;

const id = z.string().check(z.regex(ID_PATTERN));
/** socket.io delivers binary as Buffer in Node and ArrayBuffer/Uint8Array in browsers. */
export const bytes = z.pipe(
  z.custom<Uint8Array | ArrayBuffer>((v) => v instanceof Uint8Array || v instanceof ArrayBuffer, { message: 'expected binary' }),
  z.transform((v: Uint8Array | ArrayBuffer) => (v instanceof Uint8Array ? v : new Uint8Array(v))),
);
const payload = z.union([z.string(), bytes]);

// ---- client → server ---------------------------------------------------------------------

export const LoginRequest = z.object({
  appId: z.string().check(z.minLength(1), z.maxLength(64)),
  uid: z.string().check(z.maxLength(1024)),
  token: z.string().check(z.maxLength(4096)),
  /** Random per engine; a re-login with the same sessionId resumes (no DuplicateLogin). */
  sessionId: z.string().check(z.minLength(8), z.maxLength(64)),
  businessId: z.optional(z.string().check(z.maxLength(128))),
  sdkVersion: z.optional(z.string().check(z.maxLength(32))),
  /** PROTOCOL_VERSION of the client; absent counts as 1 (clients from before the field). */
  protocol: z.optional(z.int()),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

/** logout takes no payload; whatever comes is ignored. */
export const LogoutRequest = z.unknown();
export const TokenUpdateRequest = z.object({ token: z.string().check(z.maxLength(4096)) });
export const ServerParamsRequest = z.object({ signature: z.string().check(z.maxLength(4096)), url: z.string().check(z.maxLength(2048)) });
export const ServerMessageRequest = z.object({ msgId: z.int().check(z.positive()), data: payload });
export const PresenceRequest = z.object({ uid: z.string().check(z.maxLength(1024)) });
export const JoinRoomRequest = z.object({
  roomId: z.string().check(z.maxLength(1024)),
  extraInfo: z._default(z.string().check(z.maxLength(4096)), ''),
  /** true after a reconnect: others see onUserJoined again, the joiner gets join_type 1. */
  rejoin: z._default(z.boolean(), false),
});
export const LeaveRoomRequest = z.object({ roomId: z.string().check(z.maxLength(1024)) });
/** A batch of data frames (see frame.ts) for one user, optionally scoped to a shared room. */
export const RelayFrameRequest = z.object({ to: z.string().check(z.maxLength(1024)), frame: bytes });
/** A batch of room-broadcast frames fanned out to every member but the sender and `except`. */
export const RelayRoomRequest = z.object({
  roomId: z.string().check(z.maxLength(1024)),
  except: z._default(z.array(id).check(z.maxLength(10_000)), []),
  frame: bytes,
});
export const RtcSignalRequest = z.object({
  to: z.string().check(z.maxLength(1024)),
  /** simple-peer signal data (offer/answer/candidate/renegotiate), or a link request. */
  signal: z.record(z.string(), z.unknown()),
});

// ---- server → client ---------------------------------------------------------------------

export const CodeReply = z.object({ code: z.int() });
export type CodeReply = z.infer<typeof CodeReply>;

/** A W3C RTCIceServer as the server hands it out (TURN entries with REST credentials). */
export const IceServerInfo = z.object({
  urls: z.array(z.string().check(z.maxLength(512))).check(z.maxLength(32)),
  username: z.optional(z.string().check(z.maxLength(512))),
  credential: z.optional(z.string().check(z.maxLength(512))),
});
export type IceServerInfo = z.infer<typeof IceServerInfo>;

/** The server's ICE servers for this user (its `ice` option), and when their TURN credential expires. */
const iceFields = {
  iceServers: z.optional(z.array(IceServerInfo).check(z.maxLength(32))),
  /** Unix ms; the client asks for fresh ones (ice:servers) well before. Absent without TURN. */
  iceExpiresAtMs: z.optional(z.number()),
};

/** ice:servers takes no payload; whatever comes is ignored. */
export const IceServersRequest = z.unknown();
export const IceServersReply = z.object({ code: z.int(), serverTime: z.optional(z.number()), ...iceFields });

export const LoginReply = z.object({
  code: z.int(),
  /** Set when this sessionId was replaced by a later login of the same uid. */
  displaced: z.optional(z.boolean()),
  limits: z.optional(z.custom<Limits>()),
  dropGraceMs: z.optional(z.int()),
  serverTime: z.optional(z.number()),
  ...iceFields,
});
export type LoginReply = z.infer<typeof LoginReply>;

export const PresenceReply = z.object({ code: z.int(), status: z.int() });
export const ServerMessageReply = z.object({ code: z.int(), body: z.optional(z.string()) });
export const MemberInfo = z.object({ uid: z.string(), extraInfo: z.string() });
export type MemberInfo = z.infer<typeof MemberInfo>;
export const JoinRoomReply = z.object({ code: z.int(), members: z._default(z.array(MemberInfo), []) });
export type JoinRoomReply = z.infer<typeof JoinRoomReply>;

export const KickedEvent = z.object({ reason: z.int() });
export const UserJoinedEvent = z.object({ roomId: z.string(), uid: z.string(), extraInfo: z.string() });
export const UserLeftEvent = z.object({ roomId: z.string(), uid: z.string(), reason: z.int() });
/** The server ended this session's membership: -1004 joined elsewhere, -1006 kicked, -1011 dismissed. */
export const RoomClosedEvent = z.object({ roomId: z.string(), code: z.int() });
/** `from` is stamped by the server from the authenticated session, never taken from a client. */
export const RelayFrameEvent = z.object({ from: z.string(), frame: bytes });
/** A message from the app server through the REST API (SPEC §8). */
export const AppMessageEvent = z.object({
  from: z.string(),
  kind: z.enum(['user', 'room-user', 'room']),
  roomId: z.optional(z.string()),
  data: payload,
});
export const RtcSignalEvent = z.object({ from: z.string(), signal: z.record(z.string(), z.unknown()) });
/**
 * The server process is shutting down (SPEC §12): reconnect now — the connection will be closed
 * within the server's drain bound — instead of waiting for a drop and the backoff.
 */
export const GoingAwayEvent = z.object({ reason: z.string() });

// ---- the tables ------------------------------------------------------------------------------

/** Reply code for a payload that failed its schema (client→server). */
export const MALFORMED_CODE = -2;
/** Reply code when a socket sends more events than its queue holds. */
export const BUSY_CODE = UserMessageSendResult.ExceedQPS;

interface RequestSpec<Req extends z.ZodMiniType, Rep extends z.ZodMiniType, N extends number | undefined> {
  /** What the client sends; the server refuses anything else with MALFORMED_CODE. */
  request: Req;
  /** What the server answers; the client drops anything else. */
  reply: Rep;
  /** The reply's fields beside `code` in a reply that did nothing (fallbacks, refusals). */
  blank: Omit<z.output<Rep>, 'code'>;
  /** Code answered when the server failed to handle the request (exception, store unreachable). */
  failure: number;
  /** Code answered to a socket that is not logged in; undefined when the request needs no login. */
  notLoggedIn: N;
}

const spec = <Req extends z.ZodMiniType, Rep extends z.ZodMiniType, N extends number | undefined>(s: RequestSpec<Req, Rep, N>) => s;
const codeOnly = { reply: CodeReply, blank: {} } as const;

/** Every client→server request. */
export const REQUESTS = {
  login: spec({ request: LoginRequest, reply: LoginReply, blank: {}, failure: LoginErrorCode.ServerError, notLoggedIn: undefined }),
  logout: spec({ request: LogoutRequest, ...codeOnly, failure: UserMessageSendResult.Unknown, notLoggedIn: undefined }),
  'token:update': spec({ request: TokenUpdateRequest, ...codeOnly, failure: LoginErrorCode.ServerError, notLoggedIn: LoginErrorCode.LoginFailed }),
  'server:params': spec({ request: ServerParamsRequest, ...codeOnly, failure: UserMessageSendResult.Unknown, notLoggedIn: UserMessageSendResult.NotLogin }),
  'server:message': spec({
    request: ServerMessageRequest, reply: ServerMessageReply, blank: {}, failure: UserMessageSendResult.Unknown, notLoggedIn: UserMessageSendResult.NotLogin,
  }),
  'presence:query': spec({
    request: PresenceRequest, reply: PresenceReply, blank: { status: 0 }, failure: UserMessageSendResult.Unknown, notLoggedIn: UserMessageSendResult.NotLogin,
  }),
  'room:join': spec({
    request: JoinRoomRequest, reply: JoinRoomReply, blank: { members: [] }, failure: RoomErrorCode.JoinFailed, notLoggedIn: LoginErrorCode.LoginFailed,
  }),
  'room:leave': spec({ request: LeaveRoomRequest, ...codeOnly, failure: UserMessageSendResult.Unknown, notLoggedIn: UserMessageSendResult.NotLogin }),
  // failure: the shared store is unreachable, a passing condition: the client resends.
  'relay:frame': spec({ request: RelayFrameRequest, ...codeOnly, failure: UserMessageSendResult.NetworkDisconnected, notLoggedIn: UserMessageSendResult.NotLogin }),
  'relay:room': spec({ request: RelayRoomRequest, ...codeOnly, failure: UserMessageSendResult.NetworkDisconnected, notLoggedIn: UserMessageSendResult.NotLogin }),
  'rtc:signal': spec({ request: RtcSignalRequest, ...codeOnly, failure: UserMessageSendResult.NetworkDisconnected, notLoggedIn: UserMessageSendResult.NotLogin }),
  /** Fresh ICE servers (new TURN credentials) before the ones from login expire. */
  'ice:servers': spec({ request: IceServersRequest, reply: IceServersReply, blank: {}, failure: UserMessageSendResult.Unknown, notLoggedIn: UserMessageSendResult.NotLogin }),
};

export type RequestName = keyof typeof REQUESTS;
/** What a client passes (defaults may be left out). */
export type RequestPayload<K extends RequestName> = z.input<(typeof REQUESTS)[K]['request']>;
/** What the server handles (defaults filled in, binary as Uint8Array). */
export type ParsedRequest<K extends RequestName> = z.output<(typeof REQUESTS)[K]['request']>;
export type Reply<K extends RequestName> = z.output<(typeof REQUESTS)[K]['reply']>;
/** The requests only a logged-in socket may make. */
export type LoginRequiredRequest = { [K in RequestName]: (typeof REQUESTS)[K]['notLoggedIn'] extends number ? K : never }[RequestName];

export function isRequestName(event: string): event is RequestName {
  return Object.hasOwn(REQUESTS, event);
}

/** The reply to `event` that carries only `code`, e.g. a refusal before anything was done. */
export function blankReply<K extends RequestName>(event: K, code: number): Reply<K> {
  return { ...REQUESTS[event].blank, code } as Reply<K>;
}

/** Every server→client event. */
export const SERVER_EVENTS = {
  'session:kicked': KickedEvent,
  'room:user-joined': UserJoinedEvent,
  'room:user-left': UserLeftEvent,
  'room:closed': RoomClosedEvent,
  'relay:frame': RelayFrameEvent,
  'app:message': AppMessageEvent,
  'rtc:signal': RtcSignalEvent,
  'server:going-away': GoingAwayEvent,
};

export type ServerEventName = keyof typeof SERVER_EVENTS;

// socket.io's typed event maps.
export type ClientToServerEvents = {
  [K in RequestName]: (req: RequestPayload<K>, ack: (reply: Reply<K>) => void) => void;
};
export type ServerToClientEvents = {
  [K in ServerEventName]: (ev: z.input<(typeof SERVER_EVENTS)[K]>) => void;
};

export { DEFAULT_LIMITS };
