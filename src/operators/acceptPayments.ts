import { Decimal } from 'decimal.js';
import { type OperatorFunction, type SchedulerLike, asyncScheduler } from 'rxjs';
import type { PayableDocument, PaymentEvent } from '../ports/index.js';
import { runAcceptPayments } from './internals/acceptPaymentsInternals.js';
import { checkCount, checkDuration } from './internals/operatorInternals.js';

export type {
  OverPriceReason,
  PayableAgreementTerms,
  PayableDocument,
  PaymentEvent,
  PaymentRejection,
  RejectionOutcome,
  SkipReason,
} from '../ports/index.js';

/**
 * Accepts the debit notes and invoices that arrive, as long as each is within the agreed prices
 * applied to the usage the provider reported, and within the budget; never pays twice; reports
 * what it did with each one as a {@link PaymentEvent}. docs/payments.md states the policy.
 *
 * <span class="informal">yapapi's payment loop as an operator over
 * `merge(node.debitNotes$, node.invoices$)`. Subscribe before the first agreement is confirmed:
 * debit notes must be accepted within the negotiated accept-timeout, or the provider ends the
 * agreement.</span>
 *
 * ```text
 * source:     -d-e-----i--f-|   d, e: debit notes of one activity (totals 0.2, 0.3); i: its invoice
 *                               (0.4); f: a debit note of that activity arriving after i
 * d.accept     -|
 * e.accept       -|
 * i.usage              -(u|)    the activity's usage (`activityUsage`), worth 0.4 at its prices
 * i.accept              -|
 * result:     --D-E------IF-(s|)
 * ```
 *
 * D: accepted, charges 0.2; E: accepted, charges 0.1 (debit notes are cumulative: the delta);
 * I: accepted, charges 0.1 (what the debit notes did not cover); F: `skipped` (`invoiced`);
 * s: the summary, spent 0.4 (`marbles/acceptPayments.marbles.test.ts` runs this diagram).
 *
 * For each document, in arrival order per agreement:
 * 1. **Never twice.** It skips an id accepted before or being processed (a refused or failed one
 *    is checked again when it comes again). A debit note of an agreement whose invoice was taken
 *    up, or an invoice of an agreement whose invoice was accepted, is `skipped` (`invoiced`); a
 *    debit note whose total is below the one accepted for its activity is `skipped`
 *    (`superseded`): debit notes are cumulative, never additive.
 * 2. **Price.** The cost of an activity is the agreement's linear price (`document.agreementTerms()`,
 *    read once per agreement) of the usage reported for it: `start + Σ coeff_i × usage_i`. A
 *    **debit note** may not exceed the cost of its own counters; an **invoice** the sum over its
 *    activities of the cost of the last usage reported for each (the highest counters of its
 *    debit notes and of `document.activityUsage(id)`). Counters above what the time since
 *    approval allows (duration ≤ elapsed, CPU seconds ≤ elapsed × `golem.inf.cpu.threads`) are
 *    `usage`; an activity without reported usage costs the price of that time bound
 *    (`unreportedUsage`). Limits get `grace`: `cost × (1 + ratio) + amount`. Over: it is rejected
 *    through `document.reject` (once; yagna answers 501) and an `overPrice` event says so.
 * 3. **Budget.** What it charges is, as yagna counts it, the amount over what was accepted
 *    before (a debit note: over the last total of its activity; an invoice: over the debit notes
 *    of its agreement). If that would take the agreement's total over its `costCap`, or
 *    `spent + being accepted` over `budget`: it is rejected through `document.reject`
 *    (`UNSOLICITED_SERVICE`, once) and an `overBudget` event (`scope` `costCap` or `budget`) says so.
 * 4. **Accept** for the full amount (`document.accept(allocation, amount)`): an `accepted` event,
 *    or `failed` if the call (or reading the terms or the usage) failed.
 *
 * Documents of one agreement are processed one at a time; different agreements concurrently
 * (`concurrency`). Cold: each subscription has its own ledger and budget. When the source
 * completes (the node closes) and nothing is in flight, it emits a `summary` with what was spent
 * and the agreements billed whose invoice was not accepted (`unpaid`), and completes.
 * Errors: only the source's (refusals and failed calls are events). Unsubscribing aborts the
 * calls in flight.
 *
 * @param config - see {@link AcceptPaymentsConfig}.
 * @returns an operator from payable documents to {@link PaymentEvent}s.
 *
 * @example
 * ```ts
 * merge(node.debitNotes$, node.invoices$)
 *   .pipe(acceptPayments({ allocation, budget: '5' }))
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
    grace: { ratio: new Decimal(grace.ratio ?? 0.01), amount: new Decimal(grace.amount ?? 0) },
    clockSkew: checkDuration('acceptPayments', 'clockSkew', config.clockSkew ?? 10_000)!,
    unreportedUsage: config.unreportedUsage ?? 'bound',
    concurrency: checkCount('acceptPayments', 'concurrency', config.concurrency ?? Infinity),
    scheduler: config.scheduler ?? asyncScheduler,
    costCap: costCapOf(config.costCap),
  };
  if (settings.grace.ratio.isNegative() || settings.grace.amount.isNegative()) {
    throw new RangeError('acceptPayments: grace must be >= 0');
  }
  if (settings.unreportedUsage !== 'bound' && settings.unreportedUsage !== 'refuse') {
    throw new RangeError(`acceptPayments: unreportedUsage must be 'bound' or 'refuse'`);
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
   * The tolerance of the price checks: a ratio (`0.01` = 1%), or a ratio and an absolute amount in
   * GLM; the limit is `cost × (1 + ratio) + amount`. The ratio also bounds how far reported
   * counters may exceed their time bound.
   * @default { ratio: 0.01, amount: 0 }
   */
  readonly grace?: number | { readonly ratio?: Decimal.Value; readonly amount?: Decimal.Value };
  /**
   * Milliseconds added to the time since approval when bounding usage (the provider's clock may
   * run ahead of ours).
   * @default 10000
   */
  readonly clockSkew?: number;
  /**
   * What an activity costs when the provider reported no usage for it (a debit note without
   * counters; an invoice's activity without debit-note counters nor `activityUsage`): `'bound'`,
   * the agreed price of the most it could have used since approval (duration ≤ elapsed + clock
   * skew, CPU seconds ≤ that × `golem.inf.cpu.threads`; a billed counter without such a bound
   * makes it `unverifiable`); `'refuse'`, always `unverifiable`.
   * @default 'bound'
   */
  readonly unreportedUsage?: 'bound' | 'refuse';
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
  /**
   * The most one agreement may be charged in all (GLM), by agreement id; `undefined`: no cap. A
   * document that would take its agreement's total over it is refused (`overBudget`, scope
   * `costCap`) and rejected through yagna. A rental's `costCap` puts its agreement here.
   * @default no agreement is capped
   */
  readonly costCap?: (agreementId: string) => Decimal.Value | undefined;
}

/** Reads the caps as `Decimal`s; a cap that is not a decimal >= 0 is a `RangeError` when met. */
function costCapOf(
  costCap: AcceptPaymentsConfig<unknown>['costCap'],
): ((agreementId: string) => Decimal | undefined) | undefined {
  if (costCap === undefined) return undefined;
  return (agreementId) => {
    const value = costCap(agreementId);
    if (value === undefined) return undefined;
    const cap = new Decimal(value);
    if (cap.isNaN() || cap.isNegative()) {
      throw new RangeError(`acceptPayments: the cost cap of ${agreementId} must be a decimal >= 0`);
    }
    return cap;
  };
}
