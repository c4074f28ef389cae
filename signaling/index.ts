// Public API of the signaling server (SPEC §1): `createSignalingServer(opts)` and its types.
export { createSignalingServer, MAX_SOCKET_MESSAGE_BYTES } from './server.js';
export type { SignalingServer, SignalingStats } from './server.js';
export {
  DEFAULT_HEARTBEAT_MS, DEFAULT_HOST, DEFAULT_P2SERVER_TIMEOUT_MS, DEFAULT_PORT, DEFAULT_PUBLISH_TIMEOUT_MS,
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS, DEFAULT_REDIS_KEY_PREFIX,
} from './options.js';
export type { AppCredentials, P2ServerOptions, ScaleOutOptions, SignalingServerOptions } from './options.js';
export { DEFAULT_TURN_TTL_SECONDS, turnCredential } from './domain/ice-servers.js';
export type { IceOptions, TurnOptions } from './domain/ice-servers.js';
export { MemoryStore } from './store/memory-store.js';
export type { MemberRecord, ServerParams, SessionRecord, Store } from './store/types.js';
export { SERVER_VERSION } from './version.js';
