import {
  AsyncSubject,
  BehaviorSubject,
  EMPTY,
  type Observable,
  defer,
  finalize,
  map,
  of,
  throwError,
} from 'rxjs';
import { isYagnaForbiddenError } from '../api/errors/YagnaForbiddenError.js';
import { type Action, action } from '../resources/Action.js';
import { isGone, onSuccess, tolerate, voidCall } from '../resources/internals.js';
import type { FlexibleApi } from '../resources/NodeApi.js';
import { Resource } from '../resources/Resource.js';
import type { ResourceNode } from '../resources/ResourceNode.js';
import { type CallResult, fromCall } from '../rx/fromCall.js';
import { NetworkError } from './errors/NetworkError.js';
import { type Ipv4Range, contains, formatIpv4, parseIpv4, parseIpv4Network } from './ipv4.js';
import { type NetworkDeployArgs, type NetworkMember, type NetworkNode, memberId } from './members.js';
import type { NetApi, NetworkDto } from './netApi.js';

/**
 * A virtual private network of the requestor and its providers (yagna's net API), made by
 * `node.createNetwork({ ip: '192.168.0.0/24' })`. The requestor is in it from the start; each
 * provider joins with an IP (`addNode`, or `join`, which also gives its exe-unit's deploy
 * arguments); a service in a provider's VM is then reachable at its IP, from the requestor through
 * a TCP proxy (`golem-rx/net`) and from the other providers directly.
 *
 * Data: `NetworkDto` (`GET /net-api/v2/vpn/net/{id}`). Closed by `remove()`, or by `node.close()`
 * after the activities are destroyed. Addresses are given out by the library: the lowest free host
 * of the range, never the gateway (the requestor's by default), never one taken.
 *
 * @example
 * ```ts
 * const network = await node.createNetwork({ ip: '192.168.0.0/24' });
 * const activity$ = demand$.pipe(
 *   score(byPrice), negotiate(2), createAgreement(),
 *   createActivity({ deploy: (agreement) => network.join(agreement) }),
 *   take(2),
 * );
 * ```
 */
export class Network extends Resource<NetworkDto> {
  /** The resource kind on the bus. */
  static readonly kind = 'Network';
  readonly kind = 'Network';

  /** The net API it is reached through (its `config` carries the app key, non-enumerable). */
  readonly api: FlexibleApi<NetApi>;
  /** The requestor's node id. */
  readonly requestorId: string;
  private readonly range: Ipv4Range;
  private readonly gatewayIp: string;
  private readonly members = new Map<string, NetworkNode>();
  private readonly reserved = new Set<number>();
  private readonly adding = new Map<string, Observable<NetworkNode>>();
  private readonly nodesSubject = new BehaviorSubject<readonly NetworkNode[]>([]);

  /**
   * Made by `node.createNetwork` only.
   * @param node the node
   * @param api the net API
   * @param data yagna's answer to `POST /net`
   * @param requestorId the requestor's node id
   */
  constructor(node: ResourceNode, api: FlexibleApi<NetApi>, data: NetworkDto, requestorId: string) {
    super(node, data.id);
    const range = parseIpv4Network(data.ip, data.mask);
    if (range === undefined) {
      throw new NetworkError(
        { code: 'invalidAddress', networkId: data.id, ip: data.ip },
        `yagna answered network ${data.id} with an address that is not IPv4: ${data.ip}/${data.mask}`,
      );
    }
    this.api = api;
    this.requestorId = requestorId;
    this.range = range;
    this.gatewayIp = data.gateway;
  }

  protected fetchData(signal: AbortSignal): CallResult<NetworkDto> {
    return this.api.getNetwork(this.id, { signal });
  }

  /** The network address (`192.168.0.0`). */
  get ip(): string {
    return formatIpv4(this.range.network);
  }

  /** The network in CIDR notation (`192.168.0.0/24`). */
  get cidr(): string {
    return `${this.ip}/${this.range.prefix}`;
  }

  /** Its mask (`255.255.255.0`). */
  get mask(): string {
    return formatIpv4(this.range.mask);
  }

  /** Its gateway (yagna's default: the first host, which is also the requestor's default IP). */
  get gateway(): string {
    return this.gatewayIp;
  }

  /** The nodes in the network now, the requestor first. */
  get nodes(): readonly NetworkNode[] {
    return this.nodesSubject.value;
  }

  /** The nodes now, then after every change; completes when the network is removed. */
  get nodes$(): Observable<readonly NetworkNode[]> {
    return this.nodesSubject.asObservable();
  }

  /** The requestor's node (after `createNetwork` has finished). */
  get requestor(): NetworkNode | undefined {
    return this.members.get(this.requestorId);
  }

  /** The node `member` names, if it is in the network. */
  nodeOf(member: NetworkMember): NetworkNode | undefined {
    return this.members.get(memberId(member));
  }

  /**
   * Adds a node (`POST /nodes`) with `ip`, or the lowest free host of the range. A node already in
   * the network is emitted as it is; a call for a node being added waits for that one. The POST is
   * not aborted by an unsubscribe (the node would be in the network on yagna's side without the
   * library knowing its IP); `close()` waits for it.
   *
   * @param member the provider (its node id, agreement or activity), or any node id
   * @param ip its IP address in the network
   * @returns a cold, awaitable {@link Action} of the {@link NetworkNode}; errors with
   *   `NetworkError` (`removed`, `invalidAddress`, `addressOutOfRange`, `addressTaken`,
   *   `noFreeAddress`) before calling yagna, and with the client's errors
   */
  addNode(member: NetworkMember, ip?: string): Action<NetworkNode> {
    return action(defer(() => this.add(memberId(member), ip)));
  }

  /**
   * Adds the node when it is not in the network yet (see {@link addNode}) and emits the deploy
   * arguments of its exe-unit: what `createActivity({ deploy })` takes.
   *
   * @returns a cold, awaitable {@link Action} of the {@link NetworkDeployArgs}
   * @example
   * ```ts
   * agreements$.pipe(createActivity({ deploy: (agreement) => network.join(agreement) }))
   * ```
   */
  join(member: NetworkMember, ip?: string): Action<NetworkDeployArgs> {
    return action(this.addNode(member, ip).pipe(map((node) => this.deployArgs(node))));
  }

  /**
   * The `net` argument of the `deploy` command that puts the node's exe-unit in the network, with
   * every node known now (ya-client's `DeployNetwork`: network address, mask, gateway, the node's
   * IP, and the nodes by IP).
   *
   * @throws {NetworkError} `notMember` when the node is not in the network, `removed` after `remove()`
   */
  deployArgs(member: NetworkMember): NetworkDeployArgs {
    const nodeId = memberId(member);
    this.assertOpen(nodeId);
    const node = this.members.get(nodeId);
    if (node === undefined) {
      throw new NetworkError(
        { code: 'notMember', networkId: this.id, nodeId },
        `${nodeId} is not in network ${this.id}`,
      );
    }
    const nodes = Object.fromEntries(this.nodes.map((n) => [n.ip, n.id]));
    const net = { id: this.id, ip: this.ip, mask: this.mask, gateway: this.gateway, nodeIp: node.ip, nodes };
    return { net: [net] };
  }

  /**
   * Removes a node (`DELETE /nodes/{nodeId}`); its IP is free again. A node id the network does
   * not know is removed on yagna's side all the same; after `remove()` this does nothing.
   *
   * @returns a cold, awaitable {@link Action} that completes when removed
   */
  removeNode(member: NetworkMember): Action<void> {
    return action(
      defer(() => {
        if (this.closed) return EMPTY;
        const nodeId = memberId(member);
        return voidCall((signal) => this.api.removeNode(this.id, nodeId, { signal })).pipe(
          onSuccess(() => {
            if (this.members.delete(nodeId)) this.publish();
          }),
        );
      }),
    );
  }

  /**
   * Removes the network (`DELETE /net/{id}`) with its nodes and connections, and closes the
   * resource. Tolerates a network already gone: 404, or 403, which Real yagna answers for an id
   * it does not know when the identity still has other networks.
   *
   * @returns a cold, awaitable {@link Action} that completes when removed
   */
  remove(): Action<void> {
    return action(
      defer(() =>
        this.closed
          ? EMPTY
          : voidCall((signal) => this.api.removeNetwork(this.id, { signal })).pipe(
              tolerate((error) => isGone(error) || isYagnaForbiddenError(error)),
              onSuccess(() => this.markClosed()),
            ),
      ),
    );
  }

  /** The first host of the range: the requestor's default IP, and yagna's default gateway. */
  get firstHost(): string {
    return formatIpv4(this.range.firstHost);
  }

  /** The lowest free host of the range, not the gateway (it is the requestor's). */
  private freeAddress(): string {
    const gateway = parseIpv4(this.gatewayIp);
    const taken = new Set([...this.reserved, ...[...this.members.values()].map((n) => parseIpv4(n.ip))]);
    for (let ip = this.range.firstHost; ip <= this.range.lastHost; ip++) {
      if (ip !== gateway && !taken.has(ip)) return formatIpv4(ip);
    }
    throw new NetworkError(
      { code: 'noFreeAddress', networkId: this.id },
      `Network ${this.id} (${this.cidr}) has no free address left`,
    );
  }

  /** Checks that `ip` is a free host address of the range; returns it normalised. */
  private checkAddress(ip: string, nodeId?: string): string {
    const value = parseIpv4(ip);
    const context = { networkId: this.id, ip, nodeId };
    if (value === undefined) {
      throw new NetworkError({ ...context, code: 'invalidAddress' }, `${ip} is not an IPv4 address`);
    }
    if (!contains(this.range, value) || value < this.range.firstHost || value > this.range.lastHost) {
      throw new NetworkError(
        { ...context, code: 'addressOutOfRange' },
        `${ip} is not a host address of network ${this.id} (${this.cidr})`,
      );
    }
    const owner = [...this.members.values()].find((n) => parseIpv4(n.ip) === value);
    if (this.reserved.has(value) || (owner !== undefined && owner.id !== nodeId)) {
      throw new NetworkError(
        { ...context, code: 'addressTaken' },
        `${ip} is taken in network ${this.id}${owner === undefined ? '' : ` (by ${owner.id})`}`,
      );
    }
    return formatIpv4(value);
  }

  protected override onClosed(): void {
    this.members.clear();
    this.nodesSubject.complete();
    this.endChildren();
  }

  private add(nodeId: string, ip: string | undefined): Observable<NetworkNode> {
    this.assertOpen(nodeId);
    const member = this.members.get(nodeId);
    if (member !== undefined) {
      if (ip === undefined || parseIpv4(ip) === parseIpv4(member.ip)) return of(member);
      return throwError(
        () =>
          new NetworkError(
            { code: 'addressTaken', networkId: this.id, ip, nodeId },
            `${nodeId} is in network ${this.id} already, with ${member.ip}`,
          ),
      );
    }
    const inFlight = this.adding.get(nodeId);
    if (inFlight !== undefined) return inFlight;
    const address = ip === undefined ? this.freeAddress() : this.checkAddress(ip, nodeId);
    const value = parseIpv4(address) ?? -1;
    const result = new AsyncSubject<NetworkNode>();
    this.reserved.add(value);
    this.adding.set(nodeId, result.asObservable());
    // Detached: the POST runs to its end whoever listens (see addNode); close() waits for it.
    this.node
      .creating(fromCall((signal) => this.api.addNode(this.id, { id: nodeId, ip: address }, { signal })))
      .pipe(
        finalize(() => {
          this.reserved.delete(value);
          this.adding.delete(nodeId);
        }),
      )
      .subscribe({
        error: (error: unknown) => result.error(error),
        complete: () => {
          if (this.closed) {
            result.error(this.removedError(nodeId));
            return;
          }
          const node: NetworkNode = Object.freeze({ id: nodeId, ip: address });
          this.members.set(nodeId, node);
          this.publish();
          result.next(node);
          result.complete();
        },
      });
    return result.asObservable();
  }

  private publish(): void {
    const requestor = this.members.get(this.requestorId);
    const others = [...this.members.values()].filter((n) => n.id !== this.requestorId);
    this.nodesSubject.next(Object.freeze(requestor === undefined ? others : [requestor, ...others]));
  }

  private assertOpen(nodeId?: string): void {
    if (this.closed) throw this.removedError(nodeId);
  }

  private removedError(nodeId?: string): NetworkError {
    return new NetworkError(
      { code: 'removed', networkId: this.id, nodeId },
      `Network ${this.id} has been removed`,
    );
  }
}
