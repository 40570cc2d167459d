import type { Decimal } from 'decimal.js';
import { GolemRxError, errorGuard } from './GolemRxError.js';

/**
 * A debit note or an invoice was not accepted because it bills more than its agreement's prices
 * allow (`price`), more usage than the time since approval allows (`usage`), or it cannot be
 * checked (`unverifiable`): the `error` of a `paymentRefused` event.
 *
 * @example
 * ```ts
 * if (event.type === 'paymentRefused' && isPaymentRefusedError(event.error)) console.warn(event.error.reason);
 * ```
 */
export class PaymentRefusedError extends GolemRxError {
  override readonly name = 'PaymentRefusedError' as const;
  /** The debit note or invoice. */
  readonly documentId: string;
  /** The agreement billed. */
  readonly agreementId: string;
  /** Why it was refused. */
  readonly reason: 'price' | 'usage' | 'unverifiable';
  /** The most that would have been accepted, when known. */
  readonly limit: Decimal | undefined;

  constructor(
    context: {
      documentId: string;
      agreementId: string;
      reason: 'price' | 'usage' | 'unverifiable';
      limit?: Decimal;
    },
    options?: { cause?: unknown },
  ) {
    const limit = context.limit === undefined ? '' : ` (limit ${context.limit.toString()} GLM)`;
    super(`Payment of ${context.documentId} refused: over ${context.reason}${limit}`, options);
    this.documentId = context.documentId;
    this.agreementId = context.agreementId;
    this.reason = context.reason;
    this.limit = context.limit;
  }
}

/** Is `err` a {@link PaymentRefusedError} (by class, or by name across realms)? */
export const isPaymentRefusedError = errorGuard(PaymentRefusedError, 'PaymentRefusedError');
