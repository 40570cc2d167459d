import type { Decimal } from 'decimal.js';
import { GolemRxError, errorGuard } from './GolemRxError.js';

/** Why a document was refused (the `reason` of an `overPrice` payment event). */
export type PaymentRefusalReason = 'price' | 'usage' | 'unverifiable';

/**
 * What became of the rejection through yagna (the `rejection` of an `overPrice` payment event):
 * `rejected`; `notImplemented` (yagna answered 501, as Real yagna does); `failed`; `notAttempted`.
 */
export type PaymentRejectionStatus = 'rejected' | 'notImplemented' | 'failed' | 'notAttempted';

/**
 * A debit note or an invoice was not accepted because it bills more than the agreed prices applied
 * to the usage the provider reported (`price`), reports more usage than the time since approval
 * allows (`usage`), or cannot be checked (`unverifiable`): the `error` of a `paymentRefused` event.
 * docs/payments.md states the rule.
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
  readonly reason: PaymentRefusalReason;
  /** The most that would have been accepted, when known. */
  readonly limit: Decimal | undefined;
  /** The amount billed, when given. */
  readonly amount: Decimal | undefined;
  /** Whether it was rejected through yagna, when given. */
  readonly rejection: PaymentRejectionStatus | undefined;

  constructor(
    context: {
      documentId: string;
      agreementId: string;
      reason: PaymentRefusalReason;
      limit?: Decimal;
      amount?: Decimal;
      rejection?: PaymentRejectionStatus;
    },
    options?: { cause?: unknown },
  ) {
    const amount = context.amount === undefined ? '' : ` bills ${context.amount.toString()} GLM,`;
    const limit = context.limit === undefined ? '' : ` (limit ${context.limit.toString()} GLM)`;
    const rejection = context.rejection === undefined ? '' : `; rejection: ${context.rejection}`;
    super(
      `Payment of ${context.documentId} refused:${amount} over ${context.reason}${limit}${rejection}`,
      options,
    );
    this.documentId = context.documentId;
    this.agreementId = context.agreementId;
    this.reason = context.reason;
    this.limit = context.limit;
    this.amount = context.amount;
    this.rejection = context.rejection;
  }
}

/** Is `err` a {@link PaymentRefusedError} (by class, or by name across realms)? */
export const isPaymentRefusedError = errorGuard(PaymentRefusedError, 'PaymentRefusedError');
