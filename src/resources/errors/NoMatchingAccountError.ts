import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * `node.createAllocation({ network, driver })` found no requestor account (`GET /requestorAccounts`)
 * that can send on that driver and network, so no allocation was made.
 *
 * @example
 * ```ts
 * await node.createAllocation({ amount: 1, network: 'polygon' }).catch((e) => {
 *   if (isNoMatchingAccountError(e)) console.error(`no account on ${e.network}; have: ${e.available.join(', ')}`);
 * });
 * ```
 */
export class NoMatchingAccountError extends GolemRxError {
  override readonly name = 'NoMatchingAccountError' as const;
  /** The payment network asked for, e.g. `holesky`. */
  readonly network: string;
  /** The payment driver asked for, e.g. `erc20`. */
  readonly driver: string;
  /** The platforms of the sending accounts yagna has, e.g. `['erc20-holesky-tglm']`. */
  readonly available: readonly string[];

  constructor(
    context: { network: string; driver: string; available: readonly string[] },
    options?: { cause?: unknown },
  ) {
    super(
      `No requestor account sends on driver ${context.driver}, network ${context.network}` +
        ` (available: ${context.available.length === 0 ? 'none' : context.available.join(', ')})`,
      options,
    );
    this.network = context.network;
    this.driver = context.driver;
    this.available = context.available;
  }
}

/** Is `err` a {@link NoMatchingAccountError} (by class, or by name across realms)? */
export const isNoMatchingAccountError = errorGuard(NoMatchingAccountError, 'NoMatchingAccountError');
