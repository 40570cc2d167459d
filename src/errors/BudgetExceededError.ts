import type { Decimal } from 'decimal.js';
import { GolemRxError, errorGuard } from './GolemRxError.js';

/**
 * Accepting a debit note or an invoice would have taken the job's spending over its budget, so it
 * was not accepted (a `paymentRefused` event) and the agreement was terminated.
 *
 * @example
 * ```ts
 * if (event.type === 'paymentRefused' && isBudgetExceededError(event.error)) console.warn(event.error.budget.toString());
 * ```
 */
export class BudgetExceededError extends GolemRxError {
  override readonly name = 'BudgetExceededError' as const;
  /** The agreement billed. */
  readonly agreementId: string;
  /** What the job would have spent in total. */
  readonly wouldSpend: Decimal;
  /** The budget. */
  readonly budget: Decimal;

  constructor(
    context: { agreementId: string; wouldSpend: Decimal; budget: Decimal },
    options?: { cause?: unknown },
  ) {
    super(
      `Paying agreement ${context.agreementId} would spend ${context.wouldSpend.toString()} GLM, over the budget of ${context.budget.toString()} GLM`,
      options,
    );
    this.agreementId = context.agreementId;
    this.wouldSpend = context.wouldSpend;
    this.budget = context.budget;
  }
}

/** Is `err` a {@link BudgetExceededError} (by class, or by name across realms)? */
export const isBudgetExceededError = errorGuard(BudgetExceededError, 'BudgetExceededError');
