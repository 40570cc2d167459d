import { Decimal } from 'decimal.js';
import { type OperatorFunction, type SchedulerLike, asyncScheduler } from 'rxjs';
import { runAcceptPayments } from './internals/acceptPaymentsInternals.js';
import type { PayableDocument, PaymentEvent } from './internals/acceptPaymentsTypes.js';
import { checkCount, checkDuration } from './internals/operatorInternals.js';

export type {
  OverPriceReason,
  PayableAgreementTerms,
  PayableDocument,
  PaymentEvent,
} from './internals/acceptPaymentsTypes.js';

/**
 * Accepts the debit notes and invoices that arrive, as long as each is within its agreement's
 * prices and the budget, and reports what it did with each one as a {@link PaymentEvent}.
 *
 * <span class="informal">yapapi's payment loop as an operator over
 * `merge(node.debitNotes$, node.invoices$)`. Subscribe before the first agreement is confirmed:
 * debit notes must be accepted within the negotiated accept-timeout, or the provider ends the
 * agreement.</span>
 *
 * ```text
 * source:     -d-e-----i-|     d, e: debit notes of one activity (totals 1, 3); i: its invoice (3)
 * d.accept     -|
 * e.accept       -|
 * i.accept             -|
 * result:     --D-E-----I(s|)  D: accepted 1; E: accepted 2 (the delta); I: accepted 0; s: summary
 * ```
 *
 * For each document it:
 * 1. skips it if it was accepted before or is being processed (a refused one is checked again
 *    when it comes again);
 * 2. checks its price against its agreement's terms (`document.agreementTerms()`, read once per
 *    agreement): a **debit note** may not exceed the linear price of its usage counters
 *    (`usageCounterVector`), and the counters may not exceed what the time since approval allows
 *    (duration ≤ elapsed, CPU seconds ≤ elapsed × `golem.inf.cpu.threads`; without counters the
 *    price of that bound is the limit); an **invoice** may not exceed the larger of the debit notes
 *    accepted for its agreement and the price of the time bound for each of its activities.
 *    Limits get `grace`: `limit × (1 + ratio) + amount`. Over: an `overPrice` event;
 * 3. checks the budget: what it charges is, as yagna counts it, the delta over the last debit note
 *    accepted for its activity (for an invoice: over the debit notes accepted for its agreement).
 *    If that would take `spent + being accepted` over `budget`: an `overBudget` event;
 * 4. accepts it for its full amount (`document.accept(allocation, amount)`): an `accepted` event,
 *    or `failed` if the call (or reading the terms) failed.
 *
 * Documents of one agreement are processed one at a time, in arrival order; different agreements
 * concurrently (`concurrency`). Cold: each subscription has its own ledger and budget. When the
 * source completes (the node closes) and nothing is in flight, it emits a `summary` with what was
 * spent and the agreements billed whose invoice was not accepted (`unpaid`), and completes.
 * Errors: only the source's (refusals and failed calls are events). Unsubscribing aborts the accept
 * calls in flight.
 *
 * @param config - see {@link AcceptPaymentsConfig}.
 * @returns an operator from payable documents to {@link PaymentEvent}s.
 *
 * @example
 * ```ts
 * merge(node.debitNotes$, node.invoices$)
 *   .pipe(acceptPayments({ allocation, budget: '5', grace: 0.05 }))
 *   .subscribe({
 *     next: (e) => e.kind === 'summary' ? console.log('unpaid', e.unpaid) : e.kind !== 'accepted' && console.warn(e),
 *     error: console.error,
 *   });
 * ```
 *
 * @see {@link createAgreement}
 */
export function acceptPayments<A>(
  config: AcceptPaymentsConfig<A>,
): OperatorFunction<PayableDocument<A>, PaymentEvent<A>> {
  const budget = new Decimal(config.budget);
  if (budget.isNaN() || budget.isNegative()) {
    throw new RangeError(`acceptPayments: budget must be a decimal >= 0, got ${String(config.budget)}`);
  }
  const grace = typeof config.grace === 'number' ? { ratio: config.grace } : (config.grace ?? {});
  const settings = {
    allocation: config.allocation,
    budget,
    grace: { ratio: new Decimal(grace.ratio ?? 0.05), amount: new Decimal(grace.amount ?? 0) },
    clockSkew: checkDuration('acceptPayments', 'clockSkew', config.clockSkew ?? 10_000)!,
    concurrency: checkCount('acceptPayments', 'concurrency', config.concurrency ?? Infinity),
    scheduler: config.scheduler ?? asyncScheduler,
  };
  if (settings.grace.ratio.isNegative() || settings.grace.amount.isNegative()) {
    throw new RangeError('acceptPayments: grace must be >= 0');
  }
  return (source) => runAcceptPayments(source, settings);
}

/** The options of {@link acceptPayments}. */
export interface AcceptPaymentsConfig<A> {
  /** What to pay from (the resource layer's `Allocation`), passed to `document.accept`. */
  readonly allocation: A;
  /** The most this subscription accepts in all, in GLM (a decimal string, number or `Decimal`). */
  readonly budget: Decimal.Value;
  /**
   * The tolerance of the price checks: a ratio (`0.05` = 5%), or a ratio and an absolute amount in
   * GLM; the limit is `limit × (1 + ratio) + amount`.
   * @default { ratio: 0.05, amount: 0 }
   */
  readonly grace?: number | { readonly ratio?: Decimal.Value; readonly amount?: Decimal.Value };
  /**
   * Milliseconds added to the time since approval when bounding usage (the provider's clock may
   * run ahead of ours).
   * @default 10000
   */
  readonly clockSkew?: number;
  /**
   * How many agreements have a document in flight at once.
   * @default Infinity
   */
  readonly concurrency?: number;
  /**
   * The clock the time since approval is measured on.
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
}
