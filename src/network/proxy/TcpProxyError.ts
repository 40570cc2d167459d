import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * Where a {@link TcpProxyError} happened:
 * - `listen`: the local TCP server could not listen (the port is in use, …);
 * - `connect`: yagna refused the websocket of a connection (`status`: 404 no such network, 403
 *   not ours, 400 an address yagna will not connect to or a port nothing listens on, 504 no node
 *   answers at that IP, 401 a wrong app key), or it could not be reached;
 * - `connection`: an open connection broke (the websocket failed or stopped answering pings, or
 *   the local socket failed);
 * - `closed`: the proxy (or its network) was closed before the call.
 */
export type TcpProxyOperation = 'listen' | 'connect' | 'connection' | 'closed';

/** Context of a {@link TcpProxyError}. */
export interface TcpProxyErrorContext {
  readonly operation: TcpProxyOperation;
  /** The network. */
  readonly networkId: string;
  /** The provider's IP in the network and the port the proxy leads to. */
  readonly ip: string;
  readonly port: number;
  /** yagna's HTTP status, when its answer was the failure. */
  readonly status?: number;
  /** The number of the connection (1, 2, …, in arrival order), for connection failures. */
  readonly connection?: number;
}

/**
 * The TCP proxy (`golem-rx/net`) failed: it could not listen, yagna refused or dropped the
 * websocket of a connection, or a local socket failed. A failure of one connection is a
 * `failed` event of `proxy.events$` and closes that connection only. The message never contains
 * the app key.
 *
 * @example
 * ```ts
 * proxy.events$.subscribe((e) => {
 *   if (e.type === 'failed' && isTcpProxyError(e.error)) console.error(e.error.operation, e.error.status);
 * });
 * ```
 */
export class TcpProxyError extends GolemRxError {
  override readonly name = 'TcpProxyError' as const;

  constructor(
    readonly context: TcpProxyErrorContext,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`TCP proxy to ${context.ip}:${context.port} (${context.operation}): ${message}`, options);
  }
}

/** Is `err` a {@link TcpProxyError} (also across realms)? */
export const isTcpProxyError = errorGuard(TcpProxyError, 'TcpProxyError');
