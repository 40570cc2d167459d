/**
 * The requestor's VPNs as yagna's `VpnSupervisor` keeps them (core/vpn/src/network.rs): networks
 * owned by the identity, the requestor's own stack addresses, and the nodes by IP. Every answer
 * and refusal is the daemon's (Real), see docs/devnet.md, "Net API".
 */
import type { NetworkAddressDto, NetworkDto, NetworkNodeDto } from 'golem-rx';
import { newSimpleUuid } from '../activity/common/ids.js';
import { DevnetHttpError } from '../errors/DevnetHttpError.js';
import { isJsonObject } from '../http.js';
import { type Ipv4Net, cidrOf, formatIpv4, hostRange, netContains, parseIpv4, toIp, toNet } from './ipv4.js';

/** One network. */
export interface VpnNetwork {
  readonly id: string;
  readonly net: Ipv4Net;
  readonly gateway: string;
  /** The requestor's own addresses (its stack's): the first host, then those added. */
  readonly addresses: Set<number>;
  /** Node id → its IPs. */
  readonly nodes: Map<string, Set<number>>;
  /** IP → node id. */
  readonly endpoints: Map<number, string>;
}

/** What the registry tells the TCP side. */
export interface NetworkHooks {
  /** A network was removed: its connections end. */
  networkRemoved(network: VpnNetwork): void;
  /** A node left a network: the connections to its IPs end. */
  nodeRemoved(network: VpnNetwork, nodeId: string, ips: readonly number[]): void;
}

/** Why a network cannot be read: yagna's owner check. */
export type Refusal = 403 | 404;

/** The networks of one devnet (one identity: the app key's). */
export class NetworkRegistry {
  private readonly networks = new Map<string, VpnNetwork>();

  constructor(
    private readonly random: () => number,
    private readonly hooks: NetworkHooks,
  ) {}

  /** `GET /net`. */
  list(): NetworkDto[] {
    return [...this.networks.values()].map(dtoOf);
  }

  /** `GET /net/{id}`: the network as yagna answers it (`ip` with its prefix). */
  describe(network: VpnNetwork): NetworkDto {
    return dtoOf(network);
  }

  /**
   * `POST /net`: `ip` (CIDR, or with `mask`), optional `gateway` (default: the first host).
   * @throws DevnetHttpError 400 for a body or an address yagna refuses
   */
  create(body: unknown): NetworkDto {
    const fields = jsonFields(body, { ip: true, mask: false, gateway: false });
    const net = toNet(fields.ip!, fields.mask);
    if (typeof net === 'string') throw new DevnetHttpError(400, net);
    const { first } = hostRange(net);
    let gateway = formatIpv4(first);
    if (fields.gateway !== undefined) {
      const value = parseIpv4(fields.gateway);
      if (value === undefined) throw new DevnetHttpError(400, `Invalid IP address: ${fields.gateway}`);
      gateway = formatIpv4(value);
    }
    const network: VpnNetwork = {
      id: newSimpleUuid(this.random),
      net,
      gateway,
      addresses: new Set([first]),
      nodes: new Map(),
      endpoints: new Map(),
    };
    this.networks.set(network.id, network);
    return dtoOf(network);
  }

  /**
   * yagna's owner check: the network, or 404 when the identity has no network at all, 403 when it
   * has others but not this one (Real: an unknown id is 403 then, with an empty body).
   */
  lookup(networkId: string): VpnNetwork | Refusal {
    if (this.networks.size === 0) return 404;
    return this.networks.get(networkId) ?? 403;
  }

  /** `DELETE /net/{id}`: removes the network; its connections end. */
  remove(network: VpnNetwork): void {
    this.networks.delete(network.id);
    this.hooks.networkRemoved(network);
  }

  /** `GET /net/{id}/addresses`: the requestor's addresses, with their prefix (smoltcp's `IpCidr`). */
  addresses(network: VpnNetwork): NetworkAddressDto[] {
    return [...network.addresses].map((ip) => ({ ip: cidrOf(ip, network.net.prefix) }));
  }

  /**
   * `POST /net/{id}/addresses`: another address of the requestor in the network.
   * @throws DevnetHttpError 400 for an invalid address or one outside the network
   */
  addAddress(network: VpnNetwork, body: unknown): void {
    const { ip } = jsonFields(body, { ip: true });
    const value = parseIpv4(ip!);
    if (value === undefined) throw new DevnetHttpError(400, `Invalid IP address: ${ip!}`);
    if (!netContains(network.net, value)) throw new DevnetHttpError(400, `Network address mismatch: ${ip!}`);
    const allowed = toIp(ip!);
    if (typeof allowed === 'string') throw new DevnetHttpError(400, allowed);
    network.addresses.add(value);
  }

  /** `GET /net/{id}/nodes`: one entry per IP of each node. */
  nodes(network: VpnNetwork): NetworkNodeDto[] {
    return [...network.nodes].flatMap(([id, ips]) => [...ips].map((ip) => ({ id, ip: formatIpv4(ip) })));
  }

  /**
   * `POST /net/{id}/nodes`: adds a node with an IP. Real: an IP that is already some node's is
   * ignored (200, nothing changes).
   * @throws DevnetHttpError 400 for an address that is not allowed or not in the network
   */
  addNode(network: VpnNetwork, body: unknown): void {
    const { id, ip } = jsonFields(body, { id: true, ip: true });
    const value = toIp(ip!);
    if (typeof value === 'string') throw new DevnetHttpError(400, value);
    if (!netContains(network.net, value)) throw new DevnetHttpError(400, `Invalid network address: ${ip!}`);
    if (network.endpoints.has(value)) return;
    network.endpoints.set(value, id!);
    const ips = network.nodes.get(id!) ?? new Set<number>();
    ips.add(value);
    network.nodes.set(id!, ips);
  }

  /** `DELETE /net/{id}/nodes/{nodeId}`: 200 also for a node the network does not have. */
  removeNode(network: VpnNetwork, nodeId: string): void {
    const ips = network.nodes.get(nodeId);
    if (ips === undefined) return;
    network.nodes.delete(nodeId);
    for (const ip of ips) network.endpoints.delete(ip);
    this.hooks.nodeRemoved(network, nodeId, [...ips]);
  }

  /** Counts for `GET /_devnet/stats`. */
  stats(): { networks: number; nodes: number } {
    let nodes = 0;
    for (const network of this.networks.values()) nodes += network.endpoints.size;
    return { networks: this.networks.size, nodes };
  }

  /** Removes every network (devnet stops). */
  clear(): void {
    for (const network of [...this.networks.values()]) this.remove(network);
  }
}

function dtoOf(network: VpnNetwork): NetworkDto {
  return {
    id: network.id,
    ip: cidrOf(network.net.address, network.net.prefix),
    mask: formatIpv4(network.net.mask),
    gateway: network.gateway,
  };
}

/**
 * The string fields of a JSON body, as actix's `Json` extractor reads a struct: a missing
 * required field, or one of another type, is a 400 (`null` is a missing optional one).
 */
function jsonFields<K extends string>(body: unknown, fields: Record<K, boolean>): Partial<Record<K, string>> {
  if (!isJsonObject(body)) throw new DevnetHttpError(400, 'Json deserialize error: expected a JSON object');
  const out: Partial<Record<K, string>> = {};
  for (const [name, required] of Object.entries(fields) as [K, boolean][]) {
    const value = body[name];
    if (value === undefined || value === null) {
      if (required) throw new DevnetHttpError(400, `Json deserialize error: missing field \`${name}\``);
      continue;
    }
    if (typeof value !== 'string') {
      throw new DevnetHttpError(
        400,
        `Json deserialize error: invalid type for \`${name}\`, expected a string`,
      );
    }
    out[name] = value;
  }
  return out;
}
