// P2Server (SPEC §7): a client's message goes to the app's own server, which the signaling
// server (never the client) POSTs to. The URL is the one the session set with server:params and
// nothing else: no redirects are followed, operators can restrict targets with an allow-list, and
// outside dev mode loopback/private/link-local targets are refused (http/ssrf-guard.ts).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { UserMessageSendResult } from '../../shared/codes.js';
import { payloadBytes } from '../../shared/limits.js';
import type { ServerContext, SocketSession } from '../context.js';
import { guardedLookup, isNonPublicAddress, TargetRefusedError } from '../http/ssrf-guard.js';
import { senderCharge } from '../limits/charges.js';

/** True for an http(s) URL without credentials whose host passes the allow-list (when there is one). */
export function isAllowedServerUrl(raw: string, allowList?: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username || url.password) return false;
  if (!allowList) return true;
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowList.some((pattern) => matchesHostPattern(pattern, host, port));
}

/** True when a non-wildcard allow-list entry names the URL's host: then it may be a private address. */
export function isNamedByAllowList(raw: string, allowList?: readonly string[]): boolean {
  if (!allowList) return false;
  const url = new URL(raw);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowList.some((pattern) => !pattern.startsWith('*.') && matchesHostPattern(pattern, url.hostname.toLowerCase(), port));
}

/** `host`, `host:port`, `*.domain[:port]`, `[v6]`, `[v6]:port`. */
function matchesHostPattern(pattern: string, host: string, port: string): boolean {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(pattern.toLowerCase());
  if (!m) return false;
  const [, patternHost, patternPort] = m;
  if (patternPort !== undefined && patternPort !== port) return false;
  if (patternHost.startsWith('*.')) return host.endsWith(patternHost.slice(1)) && host.length > patternHost.length - 1;
  return host === patternHost;
}

export interface AppServerResult {
  code: number;
  body?: string;
}

export interface PostOptions {
  timeoutMs: number;
  maxBodyBytes: number;
  closing: AbortSignal;
  /** Loopback/private/link-local targets may be reached (dev mode, or named by the allow-list). */
  allowPrivate: boolean;
  log: Logger;
}

/**
 * POSTs one message; 200 → 0 and the body (cut to maxBodyBytes), other status → 18, no answer
 * or a refused (non-public) target → 17. Redirects are not followed.
 */
export async function postToAppServer(rawUrl: string, payload: Record<string, unknown>, opts: PostOptions): Promise<AppServerResult> {
  const url = new URL(rawUrl);
  // URL keeps IPv6 literals in brackets; IPv4 literals in any spelling come out dotted.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!opts.allowPrivate && isIP(host) && isNonPublicAddress(host)) {
    opts.log.warn({ host: url.host }, 'P2Server target refused: loopback/private/link-local address not named by p2server.allowList');
    return { code: UserMessageSendResult.E2BSSendFailed };
  }
  // One controller for the timeout and the server closing.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error('app server timeout')), opts.timeoutMs);
  const onClosing = (): void => abort.abort(new Error('signaling server closing'));
  opts.closing.addEventListener('abort', onClosing, { once: true });
  if (opts.closing.aborted) onClosing();
  const body = Buffer.from(JSON.stringify(payload));
  try {
    return await new Promise<AppServerResult>((resolve) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
        lookup: guardedLookup(opts.allowPrivate),
        signal: abort.signal,
      });
      req.on('error', (err) => {
        if (err instanceof TargetRefusedError) opts.log.warn({ host: url.host, address: err.address }, 'P2Server target refused: resolves to a loopback/private/link-local address');
        resolve({ code: UserMessageSendResult.E2BSSendFailed });
      });
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          resolve({ code: UserMessageSendResult.E2BSReturnFailed });
          return;
        }
        readText(res, opts.maxBodyBytes).then(
          (text) => resolve({ code: 0, body: text }),
          // The status said yes but the answer never finished: the same as no answer.
          () => resolve({ code: UserMessageSendResult.E2BSSendFailed }),
        );
      });
      req.end(body);
    });
  } finally {
    clearTimeout(timer);
    opts.closing.removeEventListener('abort', onClosing);
  }
}

/** Reads at most maxBytes of the body, cut at a UTF-8 character boundary. */
async function readText(res: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    total += chunk.length;
    if (total > maxBytes) break; // leaving the loop destroys the response
  }
  const bytes = Buffer.concat(chunks);
  let cut = Math.min(bytes.length, maxBytes);
  while (cut > 0 && cut < bytes.length && (bytes[cut] & 0xc0) === 0x80) cut--;
  return bytes.subarray(0, cut).toString('utf8');
}

/** Posts one client message to the URL its session set (server:params). */
export async function serverMessage(ctx: ServerContext, s: SocketSession, req: { msgId: number; data: string | Uint8Array }): Promise<AppServerResult> {
  const params = await ctx.store.getServerParams(s.appId, s.sessionId);
  if (!params) return { code: UserMessageSendResult.ServerParamsNotSet };
  const { limits } = ctx.options;
  if (payloadBytes(req.data) > limits.maxMessageBytes) return { code: UserMessageSendResult.ExceedMaxLength };
  if (!ctx.limiter.tryCharge([senderCharge(s.appId, s.uid, 'server', limits.serverMessagePerSecond)])) {
    return { code: UserMessageSendResult.ExceedQPS };
  }
  const binary = typeof req.data !== 'string';
  const result = await postToAppServer(
    params.url,
    {
      message: binary ? Buffer.from(req.data as Uint8Array).toString('base64') : req.data,
      binary,
      signature: params.signature,
      userId: s.uid,
      appId: s.appId,
      messageId: req.msgId,
    },
    {
      timeoutMs: ctx.options.p2server.timeoutMs,
      maxBodyBytes: limits.maxServerResponseBytes,
      closing: ctx.closing,
      allowPrivate: ctx.options.p2server.allowPrivateTargets || isNamedByAllowList(params.url, ctx.options.p2server.allowList),
      log: ctx.log,
    },
  );
  ctx.counters.serverMessages++;
  if (result.code !== 0) ctx.log.info({ appId: s.appId, uid: s.uid, msgId: req.msgId, code: result.code, host: new URL(params.url).host }, 'P2Server message failed');
  else ctx.log.debug({ uid: s.uid, msgId: req.msgId }, 'server message');
  return result;
}
