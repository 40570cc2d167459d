/**
 * IPv4 as yagna's VPN reads it (`ya-utils-networking`'s `to_net` and `to_ip`): networks as CIDR or
 * address + mask (default `255.255.255.0`), node addresses that are not loopback, unspecified,
 * multicast or broadcast. Addresses are unsigned 32-bit numbers.
 */

/** A network: the address as given, its prefix, and the derived bounds. */
export interface Ipv4Net {
  readonly address: number;
  readonly prefix: number;
  readonly mask: number;
  readonly network: number;
  readonly broadcast: number;
}

const QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The address of a dotted quad, or `undefined` (Rust's `Ipv4Addr::from_str`: no leading zeros). */
export function parseIpv4(text: string): number | undefined {
  const match = QUAD.exec(text);
  if (match === null) return undefined;
  let value = 0;
  for (const part of match.slice(1)) {
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** The dotted quad of an address. */
export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function net(address: number, prefix: number): Ipv4Net {
  const mask = maskOf(prefix);
  const network = (address & mask) >>> 0;
  return { address, prefix, mask, network, broadcast: (network | (~mask >>> 0)) >>> 0 };
}

/**
 * `to_net(ip, mask)`: `ip` in CIDR notation (its prefix wins, `mask` is ignored), or an address
 * with `mask` (default `255.255.255.0`; its leading ones are the prefix).
 *
 * @returns the network, or a message saying why not
 */
export function toNet(ip: string, mask?: string): Ipv4Net | string {
  const invalid = `Invalid network address: ${ip}`;
  if (ip.includes('/')) {
    const [address, prefix, ...rest] = ip.split('/');
    const value = parseIpv4(address ?? '');
    if (rest.length > 0 || value === undefined || !/^\d{1,2}$/.test(prefix ?? '') || Number(prefix) > 32)
      return invalid;
    return net(value, Number(prefix));
  }
  const value = parseIpv4(ip);
  if (value === undefined) return ip.includes(':') ? 'devnet: IPv6 networks are not supported' : invalid;
  const maskValue = parseIpv4(mask ?? '255.255.255.0');
  if (maskValue === undefined) return `Invalid IP address: ${mask ?? ''}`;
  let prefix = 0;
  while (prefix < 32 && (maskValue & (0x80000000 >>> prefix)) !== 0) prefix++;
  return net(value, prefix);
}

/** The hosts of a network (ipnet's `hosts()`): without network and broadcast addresses up to /30. */
export function hostRange(n: Ipv4Net): { first: number; last: number } {
  const edges = n.prefix <= 30 ? 1 : 0;
  return { first: n.network + edges, last: n.broadcast - edges };
}

/** Is `address` in the network (network and broadcast addresses included)? */
export function netContains(n: Ipv4Net, address: number): boolean {
  return address >= n.network && address <= n.broadcast;
}

/**
 * `to_ip`: an address a node may have.
 * @returns the address, or a message saying why not
 */
export function toIp(ip: string): number | string {
  const value = parseIpv4(ip);
  if (value === undefined) return `Invalid IP address: ${ip}`;
  const first = value >>> 24;
  if (value === 0 || first === 127 || (first >= 224 && first <= 239) || value === 0xffffffff)
    return `IP address not allowed: ${ip}`;
  return value;
}

/** `address/prefix`, as smoltcp prints an `IpCidr`. */
export function cidrOf(address: number, prefix: number): string {
  return `${formatIpv4(address)}/${prefix}`;
}
