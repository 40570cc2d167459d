/**
 * What a rental makes of the node payer's events about its own documents: typed refusals, and the
 * outcome of its invoice.
 *
 * @module
 */
import { BudgetExceededError } from '../errors/BudgetExceededError.js';
import { PaymentRefusedError } from '../errors/PaymentRefusedError.js';
import type { RejectionOutcome } from '../ports/index.js';
import { Invoice } from '../resources/index.js';
import type { PaymentRefusal, RentalInvoiceOutcome } from './events.js';
import type { RentalPaymentEvent } from './RentalNode.js';

/** A refusal by policy, typed: over the prices (`PaymentRefusedError`), over the budget or the cap. */
export function refusalOf(
  event: RentalPaymentEvent,
): { readonly error: PaymentRefusal; readonly rejection: RejectionOutcome | undefined } | undefined {
  const { document } = event;
  if (event.kind === 'overPrice') {
    const error = new PaymentRefusedError({
      documentId: document.id,
      agreementId: document.agreementId,
      reason: event.reason,
      amount: document.amount,
      rejection: event.rejection,
      ...(event.limit === undefined ? {} : { limit: event.limit }),
    });
    return { error, rejection: event.rejection };
  }
  if (event.kind === 'overBudget') {
    const error = new BudgetExceededError({
      agreementId: document.agreementId,
      wouldSpend: event.spent.plus(event.amount),
      budget: event.budget,
    });
    return { error, rejection: event.rejection };
  }
  return undefined;
}

/** The outcome an event about the invoice settles, if it settles one. */
export function invoiceOutcomeOf(event: RentalPaymentEvent): RentalInvoiceOutcome | undefined {
  const { document } = event;
  if (document.kind !== 'Invoice') return undefined;
  switch (event.kind) {
    case 'accepted':
      return {
        status: 'accepted',
        invoice: document instanceof Invoice ? document : undefined,
        amount: document.amount,
      };
    case 'overPrice':
    case 'overBudget': {
      const refusal = refusalOf(event)!;
      return { status: 'refused', error: refusal.error, rejection: refusal.rejection };
    }
    case 'failed':
      return { status: 'failed', error: event.error };
    default:
      return undefined;
  }
}
