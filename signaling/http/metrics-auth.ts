// Who may read /metrics (SPEC §12: not public by default in production). On the client-facing
// port: anyone in dev mode; with `metricsToken`, whoever sends it as a bearer token; otherwise
// nobody (403 pointing at the options). A separate `metricsPort` (loopback by default) serves it
// to whoever can reach that port, with the token too when one is set.
import type { IncomingMessage } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The credentials of an `Authorization: Bearer <token>` header, or undefined. The scheme is
 * matched case-insensitively and surrounding whitespace ignored (RFC 7235 / RFC 9110 §11.4).
 */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^[ \t]*bearer[ \t]+([^ \t].*?)[ \t]*$/i.exec(header);
  return m?.[1];
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant-time comparison: hashing both sides gives equal lengths, so the time says nothing about the secret. */
export function secretEquals(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export type MetricsAccess = 'allowed' | 'unauthorized' | 'forbidden';

export function metricsAccess(req: IncomingMessage, opts: { dev: boolean; token?: string; separatePort: boolean }): MetricsAccess {
  if (opts.token !== undefined) {
    const given = bearerToken(req);
    return given !== undefined && secretEquals(given, opts.token) ? 'allowed' : 'unauthorized';
  }
  return opts.dev || opts.separatePort ? 'allowed' : 'forbidden';
}
