import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * A rental was used after it began to stop (`rental.stop()`, its provider terminated it, its cost
 * cap or timeout passed, or the node is closing): it runs nothing more and transfers nothing.
 * Rent another one (or let its pool replace it).
 *
 * @example
 * ```ts
 * rental.run('echo hi').subscribe({ error: (e) => isRentalStoppedError(e) && console.warn(e.operation) });
 * ```
 */
export class RentalStoppedError extends GolemRxError {
  override readonly name = 'RentalStoppedError' as const;
  /** The rental's agreement. */
  readonly agreementId: string;
  /** What was attempted, e.g. `run`. */
  readonly operation: string;

  constructor(context: { agreementId: string; operation: string }, options?: { cause?: unknown }) {
    super(`Rental ${context.agreementId} is stopped: cannot ${context.operation}`, options);
    this.agreementId = context.agreementId;
    this.operation = context.operation;
  }
}

/** Is `err` a {@link RentalStoppedError} (by class, or by name across realms)? */
export const isRentalStoppedError = errorGuard(RentalStoppedError, 'RentalStoppedError');
