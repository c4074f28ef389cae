// createRTS parameters: what they are, their documented defaults, validation, and the subset
// setRuntimeParameters may change later.
import * as z from '../shared/zod.js';
import { SYS_STATS_INTERVAL_MS } from '../shared/limits.js';
import { consoleLogger } from './logger.js';
import type { IceServer, Logger, WebRTCOption } from './base-types.js';
import { exponentialBackoff, isRetryPolicy, type ReconnectPolicy, type RetryPolicy } from './retry-policy.js';
import type { LinkManagerFactory } from './transport/types.js';

/** createRTS's third argument. Only `server` is required. */
export interface RTSParameters {
  /** Signaling server URL, e.g. 'http://127.0.0.1:8080' (ws(s):// works too). Required. */
  server: string;
  /** WebRTC implementation handed to the link manager. Default: globalThis.RTCPeerConnection. */
  webrtc?: WebRTCOption;
  /**
   * STUN/TURN servers. Default: the ones the signaling server hands out at login (its `ice`
   * option, TURN credentials refreshed before they expire), none when it has none (LAN/offline
   * use: host candidates only). Set here (or with setRuntimeParameters), the app's own list wins.
   */
  iceServers?: IceServer[];
  /**
   * A peer link that hears nothing (data or heartbeat) for longer than this is reported 'relay'
   * and its traffic moves to the server until it is heard again. Default 2000.
   */
  linkTimeoutMs?: number;
  /** Never open peer links; every frame goes through the server relay. Default false. */
  relayOnly?: boolean;
  /**
   * Restrict peer links to these local/remote IP addresses — e.g. ['127.0.0.1'] for same-machine
   * tests, or one LAN interface. ICE candidates with any other address (other interfaces, mDNS
   * names, STUN/TURN addresses not listed) are neither offered nor accepted. Both ends should set
   * it. Default undefined: no restriction. setRuntimeParameters may change it (null = none) for
   * links created afterwards.
   */
  iceAddresses?: string[];
  /**
   * When to retry after a dropped connection: a RetryPolicy (`nextRetryDelayInMs(context)`), or
   * the earlier `{ nextDelayMs(attempt) }` shape. Default: exponentialBackoff() — 500 ms doubling
   * to 5 s, ±20 % jitter, unlimited.
   */
  reconnect?: RetryPolicy | ReconnectPolicy;
  /** How long a request to the signaling server may take before it counts as Timeout. Default 10000. */
  requestTimeoutMs?: number;
  /** A reliable message not acknowledged end to end within this long reports Timeout (1). Default 30000. */
  messageTimeoutMs?: number;
  /** Period of onSysStats while logged in. Default 2000. */
  sysStatsIntervalMs?: number;
  /**
   * Resend timeout of a reliable frame before a round trip to its receiver was measured; after
   * that the timeout adapts (SRTT + 4·RTTVAR, RFC 6298), doubles while no ack comes, and is at
   * most max(resendAfterMs, 10 s). Nothing is resent while acks keep coming. Default 1000.
   */
  resendAfterMs?: number;
  /** How often Node polls its network interfaces for onNetworkTypeChanged. Default 5000. */
  networkPollMs?: number;
  /**
   * Direct links per room, at most (SPEC §10): a room of up to maxPeerLinks + 1 members is a full
   * mesh; in a larger one each member links to 2⌊maxPeerLinks/2⌋ members chosen the same way at
   * both ends, and reaches the others through the server. A whole number ≥ 1. Default 8.
   */
  maxPeerLinks?: number;
  /** Direct links across all rooms and P2P contacts, at most. A whole number ≥ 1. Default 32. */
  maxPeerLinksTotal?: number;
  /** Where the SDK logs. Default: console warn/error only. */
  logger?: Logger;
  /**
   * Builds the WebRTC link layer (client/peer/). Default: the SDK's built-in one when present;
   * null = no peer links (same as relayOnly).
   */
  linkManagerFactory?: LinkManagerFactory | null;
}

/** Keys setRuntimeParameters accepts; anything else is reported and refused. */
export interface RuntimeParameters extends Pick<RTSParameters,
  | 'relayOnly' | 'iceServers' | 'linkTimeoutMs' | 'requestTimeoutMs' | 'messageTimeoutMs' | 'sysStatsIntervalMs'
  | 'resendAfterMs' | 'networkPollMs' | 'maxPeerLinks' | 'maxPeerLinksTotal' | 'reconnect' | 'logger'> {
  /** See RTSParameters.iceAddresses; null removes the restriction. */
  iceAddresses?: string[] | null;
}

export interface ResolvedParameters {
  server: string;
  webrtc: WebRTCOption | undefined;
  iceServers: IceServer[];
  /** True once the app gave iceServers itself: the server's are then not used. */
  ownIceServers: boolean;
  linkTimeoutMs: number;
  /** undefined = no restriction (see RTSParameters.iceAddresses). */
  iceAddresses: string[] | undefined;
  relayOnly: boolean;
  reconnect: RetryPolicy | ReconnectPolicy;
  requestTimeoutMs: number;
  messageTimeoutMs: number;
  sysStatsIntervalMs: number;
  resendAfterMs: number;
  networkPollMs: number;
  maxPeerLinks: number;
  maxPeerLinksTotal: number;
  logger: Logger;
  /** undefined = the built-in default (client/link-factory.ts); null = none. */
  linkManagerFactory: LinkManagerFactory | null | undefined;
}

export const DEFAULT_PARAMETERS = Object.freeze({
  iceServers: [] as IceServer[],
  relayOnly: false,
  linkTimeoutMs: 2_000,
  requestTimeoutMs: 10_000,
  messageTimeoutMs: 30_000,
  sysStatsIntervalMs: SYS_STATS_INTERVAL_MS,
  resendAfterMs: 1_000,
  networkPollMs: 5_000,
  maxPeerLinks: 8,
  maxPeerLinksTotal: 32,
});

// zod/mini (the functional API): the browser bundle carries no more of zod than these checks.
// It has no English messages built in, so every check that can fail says what it expects.
const positiveMs = z.int('expected a whole number of ms').check(
  z.positive('expected a positive number of ms'),
  z.lte(24 * 3600_000, 'expected at most 24 h in ms'),
);
const linkCap = z.int('expected a whole number of links').check(
  z.positive('expected at least 1 link (relayOnly turns links off)'),
  z.lte(10_000, 'expected at most 10000 links'),
);
const url = z.string('expected a URL').check(z.minLength(1, 'expected a non-empty URL'));
const iceServer = z.object({
  urls: z.union([url, z.array(url).check(z.minLength(1, 'expected at least one URL'))], 'expected a URL or a list of URLs'),
  username: z.optional(z.string('expected a string')),
  credential: z.optional(z.string('expected a string')),
}, 'expected { urls, username?, credential? }');
// IPv4 or IPv6 literals (as ICE candidates write them); an empty list would allow no link at all.
const iceAddresses = z.array(z.union([z.ipv4(), z.ipv6()], 'expected an IPv4 or IPv6 address')).check(
  z.minLength(1, 'expected at least one address (null removes the restriction)'),
);
const policy = z.custom<RetryPolicy | ReconnectPolicy>(isRetryPolicy, {
  message: 'expected { nextRetryDelayInMs(context) } or { nextDelayMs(attempt) }',
});
const logger = z.custom<Logger>(
  (v) => typeof (v as Logger | null)?.warn === 'function' && typeof (v as Logger).error === 'function',
  { message: 'expected a logger with warn and error' },
);
const webrtc = z.union([
  z.literal('wrtc'),
  z.literal('node-datachannel'),
  z.custom<WebRTCOption>((v) => typeof v === 'object' && v !== null && 'RTCPeerConnection' in v),
], "expected 'wrtc', 'node-datachannel' or an object with RTCPeerConnection");

/** Per key, what setRuntimeParameters accepts. */
const RUNTIME_SCHEMAS = {
  relayOnly: z.boolean('expected true or false'),
  iceServers: z.array(iceServer, 'expected a list of ICE servers'),
  iceAddresses: z.union([iceAddresses, z.null()], 'expected a list of IP addresses or null'),
  linkTimeoutMs: positiveMs,
  requestTimeoutMs: positiveMs,
  messageTimeoutMs: positiveMs,
  sysStatsIntervalMs: positiveMs,
  resendAfterMs: positiveMs,
  networkPollMs: positiveMs,
  maxPeerLinks: linkCap,
  maxPeerLinksTotal: linkCap,
  reconnect: policy,
  logger,
} satisfies { [K in keyof Required<RuntimeParameters>]: z.ZodMiniType };

export const RUNTIME_PARAMETER_KEYS = Object.keys(RUNTIME_SCHEMAS) as Array<keyof RuntimeParameters>;

const ParametersSchema = z.object({
  server: z.string('server must be a URL').check(z.regex(/^(https?|wss?):\/\/[^\s]+$/i, 'server must be an http(s):// or ws(s):// URL')),
  webrtc: z.optional(webrtc),
  linkManagerFactory: z.optional(z.union([
    z.null(), z.custom<LinkManagerFactory>((v) => typeof v === 'function'),
  ], 'expected a function or null')),
  ...Object.fromEntries(Object.entries(RUNTIME_SCHEMAS).map(([k, s]) => [k, z.optional(s)])),
});

export class ParameterError extends TypeError {}

/** Resolves createRTS parameters; throws a ParameterError naming every bad or unknown key. */
export function resolveParameters(input: RTSParameters | undefined): ResolvedParameters {
  // In a browser page served by the signaling server, the server defaults to the page's origin.
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  const params = input?.server === undefined && origin?.startsWith('http') ? { ...input, server: origin } : input;
  if (!params || typeof params !== 'object') throw new ParameterError('createRTS: parameters with a `server` URL are required');
  const unknown = Object.keys(params).filter((k) => !(k in ParametersSchema.shape));
  if (unknown.length > 0) throw new ParameterError(`createRTS: unknown parameter(s): ${unknown.join(', ')}`);
  const parsed = ParametersSchema.safeParse(params);
  if (!parsed.success) {
    throw new ParameterError(`createRTS: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return {
    server: params.server,
    webrtc: params.webrtc,
    iceServers: params.iceServers ? [...params.iceServers] : [...DEFAULT_PARAMETERS.iceServers],
    ownIceServers: params.iceServers !== undefined,
    linkTimeoutMs: params.linkTimeoutMs ?? DEFAULT_PARAMETERS.linkTimeoutMs,
    iceAddresses: params.iceAddresses ? [...params.iceAddresses] : undefined,
    relayOnly: params.relayOnly ?? DEFAULT_PARAMETERS.relayOnly,
    reconnect: params.reconnect ?? exponentialBackoff(),
    requestTimeoutMs: params.requestTimeoutMs ?? DEFAULT_PARAMETERS.requestTimeoutMs,
    messageTimeoutMs: params.messageTimeoutMs ?? DEFAULT_PARAMETERS.messageTimeoutMs,
    sysStatsIntervalMs: params.sysStatsIntervalMs ?? DEFAULT_PARAMETERS.sysStatsIntervalMs,
    resendAfterMs: params.resendAfterMs ?? DEFAULT_PARAMETERS.resendAfterMs,
    networkPollMs: params.networkPollMs ?? DEFAULT_PARAMETERS.networkPollMs,
    maxPeerLinks: params.maxPeerLinks ?? DEFAULT_PARAMETERS.maxPeerLinks,
    maxPeerLinksTotal: params.maxPeerLinksTotal ?? DEFAULT_PARAMETERS.maxPeerLinksTotal,
    logger: params.logger ?? consoleLogger,
    linkManagerFactory: params.linkManagerFactory,
  };
}

export interface RuntimeUpdate {
  /** The accepted keys and values (already applied to `target`). */
  applied: RuntimeParameters;
  unknownKeys: string[];
  invalid: Array<{ key: string; message: string }>;
}

/**
 * Applies the documented keys of `input` to `target`. Unknown keys and invalid values are
 * returned (and nothing of them applied); valid keys are applied even when others are not.
 * Accepts an object or its JSON text (the original SDK takes a JSON string).
 */
export function applyRuntimeParameters(target: ResolvedParameters, input: unknown): RuntimeUpdate | null {
  let obj = input;
  if (typeof input === 'string') {
    try {
      obj = JSON.parse(input);
    } catch {
      return null;
    }
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return null;
  const update: RuntimeUpdate = { applied: {}, unknownKeys: [], invalid: [] };
  for (const [key, value] of Object.entries(obj)) {
    const schema = (RUNTIME_SCHEMAS as Record<string, z.ZodMiniType>)[key];
    if (!schema) {
      update.unknownKeys.push(key);
      continue;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      update.invalid.push({ key, message: parsed.error.issues[0]?.message ?? 'invalid' });
      continue;
    }
    (update.applied as Record<string, unknown>)[key] = value;
    if (key === 'iceServers') target.ownIceServers = true;
    (target as unknown as Record<string, unknown>)[key] = key === 'iceServers' ? [...(value as IceServer[])]
      : key === 'iceAddresses' ? (value === null ? undefined : [...(value as string[])])
      : value;
  }
  return update;
}
