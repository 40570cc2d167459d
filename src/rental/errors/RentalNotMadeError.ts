import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * `node.rent()` ended without a rental: its demand ended (it expired, or yagna dropped it) or the
 * node began to close before a provider was rented. Per-provider failures (a counter-proposal
 * rejected, an agreement not approved) are not this error: the market keeps being tried.
 *
 * @example
 * ```ts
 * node.rent(options).subscribe({ error: (e) => isRentalNotMadeError(e) && console.warn(e.reason) });
 * ```
 */
export class RentalNotMadeError extends GolemRxError {
  override readonly name = 'RentalNotMadeError' as const;
  /** Why: `nodeClosing`, or `demandEnded`. */
  readonly reason: 'nodeClosing' | 'demandEnded';

  constructor(context: { reason: 'nodeClosing' | 'demandEnded' }, options?: { cause?: unknown }) {
    super(
      context.reason === 'nodeClosing'
        ? 'No rental: the node began to close first'
        : 'No rental: the demand ended before a provider was rented',
      options,
    );
    this.reason = context.reason;
  }
}

/** Is `err` a {@link RentalNotMadeError} (by class, or by name across realms)? */
export const isRentalNotMadeError = errorGuard(RentalNotMadeError, 'RentalNotMadeError');
