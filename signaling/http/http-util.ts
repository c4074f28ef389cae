// Small HTTP helpers for the REST API and static files (no framework: the server has few routes).
import type { IncomingMessage, ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
  }
}

export class BodyTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`request body not complete within ${timeoutMs} ms`);
  }
}

/**
 * Reads the whole body, at most maxBytes, within timeoutMs. A body announced (Content-Length) or
 * found to be larger is refused at once; the caller answers 413 and closes the connection, and
 * node discards what the client is still sending meanwhile, so it reads the 413 instead of a reset.
 */
export function readBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      reject(new BodyTooLargeError(maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const timer = setTimeout(() => finish(new BodyTimeoutError(timeoutMs)), timeoutMs);
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', finish);
      if (err) {
        // Nothing more of this body is wanted: discard the rest as it comes.
        req.resume();
        reject(err);
      } else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) finish(new BodyTooLargeError(maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', finish);
  });
}
