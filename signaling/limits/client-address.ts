// The address a connection or request comes from, as the per-address limits see it: the TCP peer,
// or — when that peer is one of the operator's reverse proxies (options.trustProxy) — the client
// the proxy names in X-Forwarded-For. Anyone else's X-Forwarded-For is ignored: a client can write
// whatever it likes there, and believing it would let one client pass for many.
import { isIP } from 'node:net';

/** `::ffff:1.2.3.4` and `1.2.3.4` are one address. */
export const normalizeAddress = (address: string): string => address.replace(/^::ffff:(?=\d+\.)/, '');

/**
 * The client's address. Each trusted proxy appends the address it got the request from, so the
 * list is read from the right: the first hop that is not a trusted proxy is the client. A hop
 * that is not an IP address ends the walk at the last trusted proxy (nothing further left can be
 * believed).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: ReadonlySet<string>): string {
  const direct = normalizeAddress(peer ?? '');
  if (forwardedFor === undefined || !trusted.has(direct)) return direct;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  let last = direct;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i].trim());
    if (isIP(hop) === 0) return last;
    if (!trusted.has(hop)) return hop;
    last = hop;
  }
  return last;
}
