// The app-server REST API (SPEC §8) under /api/v1/, on the signaling server's own port.
// Authentication: `Authorization: Bearer <appKey>` (scheme case-insensitive) and `X-App-Id: <appId>` (or `?appId=`; may be
// left out when the server serves a single app). Errors are JSON `{ code, message }` with a stable
// string code: bad_request 400, unauthorized 401, not_found / user_offline / not_in_room 404,
// method_not_allowed 405, body_timeout 408, too_large 413, rate_limited 429, internal 500,
// unavailable 503 (with Redis: the message could not be handed to the other processes; nothing
// was delivered there, retry).
//
// Bounds (options.rest): bodies over maxBodyBytes (256 KiB) → 413, also announced by
// Content-Length before any byte is read; a body not complete bodyTimeoutMs (5 s) after the
// headers → 408 and the connection is closed; ratePerSecond (100) requests per app key, and as
// many failed authentications per remote address, → 429.
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from '../../shared/zod.js';
import { RoomErrorCode, UserOfflineReason, UserOnlineStatus } from '../../shared/codes.js';
import { ID_PATTERN, isValidId, payloadBytes } from '../../shared/limits.js';
import { roomRoom, sessionRoom, userKey, userRoom, type ServerContext } from '../context.js';
import { BodyTimeoutError, BodyTooLargeError, readBody, sendJson } from './http-util.js';
import { bearerToken, secretEquals } from './metrics-auth.js';
import { clientAddress } from '../limits/client-address.js';
import { removeFromRoom } from '../domain/membership.js';
import type { AppCredentials } from '../options.js';

export const API_PREFIX = '/api/v1/';

const MessageBody = z.object({
  message: z.string(),
  /** true: `message` is base64 and arrives as binary. */
  binary: z._default(z.boolean(), false),
  /** Shown to the receiver as the sender. Default 'server'. */
  from: z._default(z.string().check(z.regex(ID_PATTERN)), 'server'),
});

class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const badRequest = (message: string) => new ApiError(400, 'bad_request', message);

/** Emits through ctx.deliver; a message other processes would not see is a 503, not a success. */
async function deliverOrFail(ctx: ServerContext, emit: () => void): Promise<void> {
  if (!(await ctx.deliver(emit))) throw new ApiError(503, 'unavailable', 'the message could not be handed to the other signaling processes; retry');
}

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handle(ctx: ServerContext, app: AppCredentials, params: string[], req: IncomingMessage): Promise<unknown>;
}

const ROUTES: Route[] = [
  { method: 'POST', pattern: /^users\/([^/]+)\/messages$/, handle: sendToUser },
  { method: 'POST', pattern: /^rooms\/([^/]+)\/users\/([^/]+)\/messages$/, handle: sendToRoomUser },
  { method: 'POST', pattern: /^rooms\/([^/]+)\/messages$/, handle: sendToRoom },
  { method: 'GET', pattern: /^users\/([^/]+)\/status$/, handle: userStatus },
  { method: 'GET', pattern: /^rooms\/([^/]+)\/users$/, handle: roomUsers },
  { method: 'POST', pattern: /^rooms\/([^/]+)\/users\/([^/]+)\/kick$/, handle: kick },
  { method: 'POST', pattern: /^rooms\/([^/]+)\/dismiss$/, handle: dismiss },
];

/** Handles the request when its path is under /api/v1/; returns false otherwise. */
export async function handleRestApi(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (!url.pathname.startsWith(API_PREFIX)) return false;
  let status = 500;
  try {
    const app = authenticate(ctx, req, url);
    if (!ctx.limiter.tryCharge([{ key: `rest\n${app.appId}`, perSecond: ctx.options.rest.ratePerSecond, count: 1 }])) {
      throw new ApiError(429, 'rate_limited', `over ${ctx.options.rest.ratePerSecond} requests per second for this app key; retry later`);
    }
    const path = url.pathname.slice(API_PREFIX.length);
    const matches = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).filter((x) => x.m);
    if (matches.length === 0) throw new ApiError(404, 'not_found', `no such route: ${url.pathname}`);
    const hit = matches.find((x) => x.r.method === req.method);
    if (!hit) throw new ApiError(405, 'method_not_allowed', `${req.method} not allowed on ${url.pathname}`);
    const params = hit.m!.slice(1).map(decodeSegment);
    const body = await hit.r.handle(ctx, app, params, req);
    status = 200;
    sendJson(res, 200, body);
  } catch (e) {
    if (e instanceof ApiError) {
      status = e.status;
      // A body we stopped reading leaves the connection unusable for another request.
      const close = e.status === 408 || e.status === 413 ? { connection: 'close' } : undefined;
      sendJson(res, e.status, { code: e.code, message: e.message }, close);
      if (e.status === 408) res.once('finish', () => req.socket.destroy());
    } else {
      ctx.log.error({ err: e, path: url.pathname }, 'REST API request failed');
      sendJson(res, 500, { code: 'internal', message: 'internal error' });
    }
  }
  ctx.metrics.restRequests.inc({ status: String(status) });
  return true;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest('bad percent-encoding in path');
  }
}

function authenticate(ctx: ServerContext, req: IncomingMessage, url: URL): AppCredentials {
  // Guessing keys costs the guesser: failures are rate-limited per remote address.
  const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], ctx.options.trustProxy);
  const failures = { key: `rest-auth\n${address}`, perSecond: ctx.options.rest.ratePerSecond, count: 1 };
  const header = req.headers['x-app-id'];
  const appId = (Array.isArray(header) ? header[0] : header)?.trim() ?? url.searchParams.get('appId') ?? undefined;
  const app = appId !== undefined ? ctx.options.apps.get(appId) : ctx.options.apps.size === 1 ? ctx.options.firstApp : undefined;
  const key = bearerToken(req);
  if (!app || key === undefined || !secretEquals(key, app.appKey)) {
    if (!ctx.limiter.tryCharge([failures])) throw new ApiError(429, 'rate_limited', 'too many failed authentications from this address; retry later');
    throw new ApiError(401, 'unauthorized', 'missing or wrong app credentials (Authorization: Bearer <appKey>, X-App-Id: <appId>)');
  }
  return app;
}

function checkId(kind: 'uid' | 'roomId', value: string): string {
  if (!isValidId(value)) throw badRequest(`bad ${kind}: must match ${ID_PATTERN}`);
  return value;
}

async function readMessage(ctx: ServerContext, req: IncomingMessage): Promise<{ data: string | Uint8Array; from: string }> {
  let raw: Buffer;
  try {
    raw = await readBody(req, ctx.options.rest.maxBodyBytes, ctx.options.rest.bodyTimeoutMs);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw new ApiError(413, 'too_large', e.message);
    if (e instanceof BodyTimeoutError) throw new ApiError(408, 'body_timeout', e.message);
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('body is not JSON');
  }
  const parsed = MessageBody.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`body: ${issue?.path.join('.') || 'root'}: ${issue?.message ?? 'invalid'}`);
  }
  const { message, binary, from } = parsed.data;
  if (binary && !/^[A-Za-z0-9+/]*={0,2}$/.test(message)) throw badRequest('binary message is not base64');
  const data = binary ? new Uint8Array(Buffer.from(message, 'base64')) : message;
  const max = ctx.options.limits.maxMessageBytes;
  if (payloadBytes(data) > max) throw new ApiError(413, 'too_large', `message over ${max} bytes`);
  return { data, from };
}

async function sendToUser(ctx: ServerContext, app: AppCredentials, [uid]: string[], req: IncomingMessage): Promise<unknown> {
  checkId('uid', uid);
  const { data, from } = await readMessage(ctx, req);
  const session = await ctx.store.getSession(app.appId, uid);
  if (!session?.connected) throw new ApiError(404, 'user_offline', `${uid} is not online`);
  await deliverOrFail(ctx, () => ctx.io.to(userRoom(app.appId, uid)).emit('app:message', { from, kind: 'user', data }));
  ctx.counters.appMessages++;
  return { ok: true };
}

async function sendToRoomUser(ctx: ServerContext, app: AppCredentials, [roomId, uid]: string[], req: IncomingMessage): Promise<unknown> {
  checkId('roomId', roomId);
  checkId('uid', uid);
  const { data, from } = await readMessage(ctx, req);
  if (!(await ctx.store.getMember(app.appId, roomId, uid))) throw new ApiError(404, 'not_in_room', `${uid} is not in ${roomId}`);
  const session = await ctx.store.getSession(app.appId, uid);
  if (!session?.connected) throw new ApiError(404, 'user_offline', `${uid} is not online`);
  await deliverOrFail(ctx, () => ctx.io.to(userRoom(app.appId, uid)).emit('app:message', { from, kind: 'room-user', roomId, data }));
  ctx.counters.appMessages++;
  return { ok: true };
}

async function sendToRoom(ctx: ServerContext, app: AppCredentials, [roomId]: string[], req: IncomingMessage): Promise<unknown> {
  checkId('roomId', roomId);
  const { data, from } = await readMessage(ctx, req);
  const members = await ctx.store.listMembers(app.appId, roomId);
  if (members.length === 0) throw new ApiError(404, 'not_found', `room ${roomId} has no members`);
  await deliverOrFail(ctx, () => ctx.io.to(roomRoom(app.appId, roomId)).emit('app:message', { from, kind: 'room', roomId, data }));
  ctx.counters.appMessages++;
  return { ok: true, members: members.length };
}

async function userStatus(ctx: ServerContext, app: AppCredentials, [uid]: string[]): Promise<unknown> {
  checkId('uid', uid);
  const s = await ctx.store.getSession(app.appId, uid);
  const status = !s ? UserOnlineStatus.Offline : s.connected ? UserOnlineStatus.Online : UserOnlineStatus.Unreachable;
  return { uid, status };
}

async function roomUsers(ctx: ServerContext, app: AppCredentials, [roomId]: string[]): Promise<unknown> {
  checkId('roomId', roomId);
  const members = await ctx.store.listMembers(app.appId, roomId);
  return { roomId, users: members.map((m) => ({ uid: m.uid, extraInfo: m.extraInfo })) };
}

async function kick(ctx: ServerContext, app: AppCredentials, [roomId, uid]: string[]): Promise<unknown> {
  checkId('roomId', roomId);
  checkId('uid', uid);
  const kicked = await ctx.locks.run(userKey(app.appId, uid), () =>
    removeFromRoom(ctx, app.appId, roomId, uid, UserOfflineReason.KickedByAdmin, { closedCode: RoomErrorCode.KickedByServer }),
  );
  if (!kicked) throw new ApiError(404, 'not_in_room', `${uid} is not in ${roomId}`);
  return { ok: true };
}

async function dismiss(ctx: ServerContext, app: AppCredentials, [roomId]: string[]): Promise<unknown> {
  checkId('roomId', roomId);
  const members = await ctx.store.deleteRoom(app.appId, roomId);
  if (members.length === 0) throw new ApiError(404, 'not_found', `room ${roomId} has no members`);
  const room = roomRoom(app.appId, roomId);
  for (const m of members) ctx.io.to(sessionRoom(app.appId, m.sessionId)).emit('room:closed', { roomId, code: RoomErrorCode.RoomDismissed });
  ctx.io.in(room).socketsLeave(room);
  return { ok: true, members: members.length };
}
