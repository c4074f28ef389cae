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

/**
 * Reads the whole body, keeping at most maxBytes. A larger body is drained (so the client, still
 * writing, reads our 413 instead of a reset connection) up to 16 × maxBytes, then cut off.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total <= maxBytes) chunks.push(chunk);
      else if (total > maxBytes * 16) {
        req.destroy();
        reject(new BodyTooLargeError(maxBytes));
      }
    });
    req.on('end', () => (total > maxBytes ? reject(new BodyTooLargeError(maxBytes)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
