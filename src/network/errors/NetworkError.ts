import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * Why a {@link NetworkError} was raised:
 * - `invalidAddress`: an IP, mask or CIDR that is not a valid IPv4 one;
 * - `addressOutOfRange`: an IP outside the network, or its network or broadcast address;
 * - `addressTaken`: an IP another node of the network already has;
 * - `noFreeAddress`: every host address of the network is taken;
 * - `notMember`: the node (provider or requestor) is not in the network;
 * - `removed`: the network has been removed (by `network.remove()` or `node.close()`);
 * - `noClient`: the node's yagna client has no configuration to reach the net API from (an
 *   injected stub): pass `api` to `createNetwork`.
 */
export type NetworkErrorCode =
  | 'invalidAddress'
  | 'addressOutOfRange'
  | 'addressTaken'
  | 'noFreeAddress'
  | 'notMember'
  | 'removed'
  | 'noClient';

/** Context of a {@link NetworkError}. */
export interface NetworkErrorContext {
  readonly code: NetworkErrorCode;
  /** The network (yagna's id), once it exists. */
  readonly networkId?: string;
  /** The IP address involved. */
  readonly ip?: string;
  /** The node id (provider or requestor) involved. */
  readonly nodeId?: string;
}

/**
 * A VPN operation was refused by the library before it reached yagna: an address that is not
 * valid or free, a node that is not in the network, a network already removed. What yagna itself
 * refuses arrives as the client's errors (`YagnaBadRequestError`, `YagnaNotFoundError`, …).
 *
 * @example
 * ```ts
 * await network.addNode(agreement, '10.0.0.300').catch((e) => {
 *   if (isNetworkError(e) && e.code === 'invalidAddress') console.error(e.message);
 * });
 * ```
 */
export class NetworkError extends GolemRxError {
  override readonly name = 'NetworkError' as const;
  /** Why (see {@link NetworkErrorCode}). */
  readonly code: NetworkErrorCode;
  /** The network, once it exists. */
  readonly networkId: string | undefined;
  /** The IP address involved. */
  readonly ip: string | undefined;
  /** The node id involved. */
  readonly nodeId: string | undefined;

  constructor(context: NetworkErrorContext, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = context.code;
    this.networkId = context.networkId;
    this.ip = context.ip;
    this.nodeId = context.nodeId;
  }
}

/** Is `err` a {@link NetworkError} (by class, or by name across realms)? */
export const isNetworkError = errorGuard(NetworkError, 'NetworkError');
