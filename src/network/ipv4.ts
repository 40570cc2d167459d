/**
 * IPv4 arithmetic for the VPN: dotted quads as unsigned 32-bit numbers, masks and prefixes, and
 * the host range of a network. Pure functions, no dependencies.
 *
 * @module
 */

/** An IPv4 network: an address and a prefix length, with the derived bounds. */
export interface Ipv4Range {
  /** The address as given (not truncated to the network). */
  readonly address: number;
  /** The prefix length, 0–32. */
  readonly prefix: number;
  /** The mask as a number (`255.255.255.0` for /24). */
  readonly mask: number;
  /** The network address (the address truncated to the prefix). */
  readonly network: number;
  /** The broadcast address. */
  readonly broadcast: number;
  /** The first and last address a node may have (the network and broadcast addresses excluded up to /30). */
  readonly firstHost: number;
  readonly lastHost: number;
}

const QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The address of a dotted quad (`192.168.0.1`), or `undefined` when `text` is not one. */
export function parseIpv4(text: string): number | undefined {
  const match = QUAD.exec(text.trim());
  if (match === null) return undefined;
  let value = 0;
  for (const part of match.slice(1)) {
    if (part.length > 1 && part.startsWith('0')) return undefined; // no octal-looking octets
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

/** The mask of a prefix length (`24` → `255.255.255.0` as a number). */
export function maskOfPrefix(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The prefix length of a mask, or `undefined` when its ones are not contiguous. */
export function prefixOfMask(mask: number): number | undefined {
  for (let prefix = 0; prefix <= 32; prefix++) if (maskOfPrefix(prefix) === mask) return prefix;
  return undefined;
}

/** The range of `address`/`prefix`. */
export function ipv4Range(address: number, prefix: number): Ipv4Range {
  const mask = maskOfPrefix(prefix);
  const network = (address & mask) >>> 0;
  const broadcast = (network | (~mask >>> 0)) >>> 0;
  const edges = prefix <= 30 ? 1 : 0;
  return {
    address,
    prefix,
    mask,
    network,
    broadcast,
    firstHost: network + edges,
    lastHost: broadcast - edges,
  };
}

/**
 * Reads a network given as CIDR (`192.168.0.0/24`) or as an address with `mask`
 * (`192.168.0.0` + `255.255.255.0`); an explicit `mask` wins over the CIDR prefix, as in golem-js.
 * Without either, the prefix is 24 (yagna's default mask).
 *
 * @returns the range, or `undefined` when the address, prefix or mask is not valid
 */
export function parseIpv4Network(ip: string, mask?: string): Ipv4Range | undefined {
  const [addressText = '', prefixText, ...rest] = ip.split('/');
  if (rest.length > 0) return undefined;
  const address = parseIpv4(addressText);
  if (address === undefined) return undefined;
  let prefix: number | undefined = 24;
  if (mask !== undefined) {
    const maskValue = parseIpv4(mask);
    prefix = maskValue === undefined ? undefined : prefixOfMask(maskValue);
  } else if (prefixText !== undefined) {
    prefix = /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : undefined;
  }
  if (prefix === undefined || prefix > 32) return undefined;
  return ipv4Range(address, prefix);
}

/** Is `address` inside `range` (its network and broadcast addresses included)? */
export function contains(range: Ipv4Range, address: number): boolean {
  return address >= range.network && address <= range.broadcast;
}
