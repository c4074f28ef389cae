// P2Server targets (SPEC §7, §12): outside dev mode the signaling server must not become a way
// into the operator's own network. A target is checked on the address actually connected to: the
// host is resolved once, every resolved address is checked, and the connection goes to exactly
// that address (a custom `lookup` on the request), so there is no window between the check and
// the connect for DNS rebinding. IP literals in any spelling (0x7f000001, 2130706433, 127.1) are
// normalised by the WHATWG URL parser before they get here.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 3], // multicast, reserved, broadcast
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** An IPv4 address carried inside an IPv6 one (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, compatible ::a.b.c.d). */
function embeddedIpv4(ip: string): string | undefined {
  const lower = ip.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::|::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const hi = parseInt(hex[1], 16);
  const lo = parseInt(hex[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True for loopback, private, CGNAT, link-local, unique-local, unspecified, multicast and reserved addresses. */
export function isNonPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse
  const v4 = embeddedIpv4(ip);
  if (v4 !== undefined) return blocked.check(v4, 'ipv4');
  return blocked.check(ip, 'ipv6');
}

export class TargetRefusedError extends Error {
  constructor(readonly host: string, readonly address: string) {
    super(`app server ${host} resolves to ${address}, a loopback/private/link-local address (allow it with p2server.allowList)`);
  }
}

/**
 * A `lookup` for http(s).request that refuses non-public addresses (all of them, when a name
 * resolves to several) unless `allowPrivate`. IP-literal hosts never reach a lookup: check them
 * with isNonPublicAddress first.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return ((hostname: string, options: LookupAllOptions | number | undefined, callback: (...args: unknown[]) => void) => {
    const opts = typeof options === 'object' && options ? options : {};
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      const refused = allowPrivate ? undefined : addresses.find((a) => isNonPublicAddress(a.address));
      if (refused) return callback(new TargetRefusedError(hostname, refused.address));
      if (addresses.length === 0) return callback(new Error(`${hostname} has no address`));
      if ((opts as { all?: boolean }).all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  }) as LookupFunction;
}
