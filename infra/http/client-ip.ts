import { BlockList, isIP } from 'node:net';

/** `::ffff:10.0.0.1` (IPv4 on a dual-stack socket) as `10.0.0.1`. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function family(address: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/** An address (`10.0.0.1`) or a CIDR range (`10.0.0.0/8`, `fd00::/8`); false for anything else. */
export function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  const kind = family(address);
  if (!kind || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (kind === 'ipv4' ? 32 : 128);
}

/** The proxies whose `X-Forwarded-For` the router believes, from addresses and CIDR ranges. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const kind = family(address);
    if (!kind) throw new Error(`not an address or range: ${entry}`);
    if (prefix === undefined) list.addAddress(address, kind);
    else list.addSubnet(address, Number(prefix), kind);
  }
  return list;
}

/**
 * The caller's address: the TCP peer, unless the peer is a trusted proxy; then the nearest
 * address in `X-Forwarded-For` that is not one, read from the right (each proxy appends the
 * address it saw, and only what trusted proxies appended can be believed). Without trusted
 * proxies the header is ignored, since any client can write it.
 */
export function clientIp(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: BlockList | undefined): string {
  const peer = remoteAddress ? plain(remoteAddress) : 'unknown';
  const isTrusted = (address: string) => {
    const kind = family(address);
    return kind !== undefined && trusted!.check(address, kind);
  };
  if (!trusted || !isTrusted(peer) || forwardedFor === undefined) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((hop) => plain(hop.trim()))
    .filter((hop) => family(hop) !== undefined);
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    if (!isTrusted(hops[i]!)) return hops[i]!;
  }
  return hops[0] ?? peer;
}
