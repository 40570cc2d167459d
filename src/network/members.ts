/**
 * Who can be in a network, and what the exe-unit's `deploy` command needs to join one.
 *
 * @module
 */

/** A node of a network: a node id (the requestor's or a provider's) and its IP in the network. */
export interface NetworkNode {
  /** The node id (`0x…`). */
  readonly id: string;
  /** Its IP address in the network (`192.168.0.2`). */
  readonly ip: string;
}

/**
 * What names a node of a network: its node id, a {@link NetworkNode}, an agreement (its provider),
 * or an activity (its agreement's provider).
 */
export type NetworkMember =
  | string
  | NetworkNode
  | { readonly providerId: string }
  | { readonly agreement: { readonly providerId: string } };

/**
 * One network in the `net` argument of the exe-unit's `deploy` command (ya-client's
 * `DeployNetwork`): the network's address and mask, the node's own IP, and every node by IP.
 */
export interface DeployNetworkArgs {
  /** The network id. */
  readonly id: string;
  /** The network address (`192.168.0.0`). */
  readonly ip: string;
  /** Its mask (`255.255.255.0`). */
  readonly mask: string;
  /** Its gateway. */
  readonly gateway: string;
  /** The IP of the node being deployed. */
  readonly nodeIp: string;
  /** Every node of the network: IP → node id (the requestor included). */
  readonly nodes: Readonly<Record<string, string>>;
}

/**
 * The deploy arguments that put an exe-unit in a network
 * (`activity.deployAndStart(network.deployArgs(agreement))`).
 */
export type NetworkDeployArgs = { readonly net: readonly DeployNetworkArgs[] };

/** The node id `member` names. Reading an activity's agreement may throw `ResourceDataNotLoadedError`. */
export function memberId(member: NetworkMember): string {
  if (typeof member === 'string') return member;
  if ('providerId' in member) return member.providerId;
  if ('agreement' in member) return member.agreement.providerId;
  return member.id;
}
