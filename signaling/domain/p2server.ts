// P2Server (SPEC §7): a client's message goes to the app's own server, which the signaling
// server (never the client) POSTs to. The URL is the one the session set with server:params and
// nothing else: no redirects are followed, and operators can restrict targets with an allow-list.
import { UserMessageSendResult } from '../../shared/codes.js';
import { payloadBytes } from '../../shared/limits.js';
import type { ServerContext, SocketSession } from '../context.js';
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

/** POSTs one message; 200 → 0 and the body (cut to maxBodyBytes), other status → 18, no answer → 17. */
export async function postToAppServer(
  url: string,
  payload: Record<string, unknown>,
  opts: { timeoutMs: number; maxBodyBytes: number; closing: AbortSignal },
): Promise<AppServerResult> {
  // One controller for the timeout and the server closing. (AbortSignal.any over
  // AbortSignal.timeout is not used: Node 20 may garbage-collect the timeout signal, which then
  // never fires.)
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error('app server timeout')), opts.timeoutMs);
  const onClosing = (): void => abort.abort(new Error('signaling server closing'));
  opts.closing.addEventListener('abort', onClosing, { once: true });
  if (opts.closing.aborted) onClosing();
  try {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        redirect: 'manual',
        signal: abort.signal,
      });
    } catch {
      return { code: UserMessageSendResult.E2BSSendFailed };
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      return { code: UserMessageSendResult.E2BSReturnFailed };
    }
    try {
      return { code: 0, body: await readText(res, opts.maxBodyBytes) };
    } catch {
      // The status said yes but the answer never finished: the same as no answer.
      return { code: UserMessageSendResult.E2BSSendFailed };
    }
  } finally {
    clearTimeout(timer);
    opts.closing.removeEventListener('abort', onClosing);
  }
}

/** Reads at most maxBytes of the body, cut at a UTF-8 character boundary. */
async function readText(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total <= maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  if (total > maxBytes) await reader.cancel().catch(() => undefined);
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
    { timeoutMs: ctx.options.p2server.timeoutMs, maxBodyBytes: limits.maxServerResponseBytes, closing: ctx.closing },
  );
  ctx.counters.serverMessages++;
  ctx.log.debug({ uid: s.uid, msgId: req.msgId, code: result.code }, 'server message');
  return result;
}
