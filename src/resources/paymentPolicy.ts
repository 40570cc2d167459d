/**
 * The type of the node's payment policy: what decides which debit notes and invoices the node
 * pays. The node's payer (src/node) runs it; the default is the `acceptPayments` operator.
 *
 * @module
 */
import type { Decimal } from 'decimal.js';
import type { OperatorFunction, SchedulerLike } from 'rxjs';
import type { PayableDocument, PaymentEvent } from '../ports/index.js';
import type { Allocation } from './Allocation.js';

/** What a {@link PaymentPolicy} is given for one allocation. */
export interface PaymentPolicyContext {
  /** What to pay from. */
  readonly allocation: Allocation;
  /** What is left of the allocation for the node to spend: its total less what the node paid from it. */
  readonly budget: Decimal;
  /** The node's scheduler. */
  readonly scheduler: SchedulerLike;
  /**
   * The most an agreement may be charged in all (a rental's `costCap`), by agreement id;
   * `undefined` when it is not capped. `acceptPayments` honours it.
   */
  readonly costCap?: (agreementId: string) => Decimal | undefined;
}

/**
 * How the node decides what to pay: an operator from the debit notes and invoices billed to one
 * allocation to `PaymentEvent`s, such as `(context) => acceptPayments(context)` (the default).
 */
export type PaymentPolicy = (
  context: PaymentPolicyContext,
) => OperatorFunction<PayableDocument<Allocation>, PaymentEvent<Allocation>>;
