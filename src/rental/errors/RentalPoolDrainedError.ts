import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * A rental pool was asked for a rental after `drain()` began (or its node began to close): an
 * `acquire()` waiting then, and every later one, errors with it.
 *
 * @example
 * ```ts
 * pool.acquire().subscribe({ error: (e) => isRentalPoolDrainedError(e) && console.warn('pool closed') });
 * ```
 */
export class RentalPoolDrainedError extends GolemRxError {
  override readonly name = 'RentalPoolDrainedError' as const;

  constructor(options?: { cause?: unknown }) {
    super('The rental pool is drained: it hands out no more rentals', options);
  }
}

/** Is `err` a {@link RentalPoolDrainedError} (by class, or by name across realms)? */
export const isRentalPoolDrainedError = errorGuard(RentalPoolDrainedError, 'RentalPoolDrainedError');
