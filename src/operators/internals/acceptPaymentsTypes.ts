/**
 * The port and the events of `acceptPayments`: what it needs from a debit note or an invoice, and
 * what it reports about each one.
 *
 * @module
 */
import type { Decimal } from 'decimal.js';
import type { Observable } from 'rxjs';

/**
 * What `acceptPayments` needs to know about the agreement a document bills. The resource layer
 * reads it from the agreement (`GET /agreements/{id}`): the offer's properties and `approvedDate`.
 */
export interface PayableAgreementTerms {
  /**
   * The offer's properties the agreement was made on: its linear pricing
   * (`golem.com.pricing.model.linear.coeffs`, `golem.com.usage.vector`) and its
   * `golem.inf.cpu.threads`, which bound the CPU seconds an activity can use.
   */
  readonly properties: Readonly<Record<string, unknown>>;
  /**
   * When the provider approved the agreement, in ms since the epoch (on the scheduler's clock).
   * The usage billed cannot exceed the time since then; absent, no time bound is applied (and a
   * debit note without usage counters cannot be checked).
   */
  readonly approvedAt?: number;
}

/**
 * A debit note or an invoice, as `acceptPayments` sees it (the operator's port). The resource
 * layer's `DebitNote` and `Invoice` implement it; tests use `fakeDebitNote` / `fakeInvoice` from
 * `golem-rx/testing`.
 *
 * @typeParam A - what `accept` pays from (the resource layer's `Allocation`).
 */
export interface PayableDocument<A = unknown> {
  /** The debit note's or invoice's id. */
  readonly id: string;
  /** Which of the two it is. */
  readonly kind: 'DebitNote' | 'Invoice';
  /** The agreement billed. */
  readonly agreementId: string;
  /** The activity a debit note bills (debit notes are per activity). */
  readonly activityId?: string;
  /** The activities an invoice covers (its count bounds the start prices billed). */
  readonly activityIds?: readonly string[];
  /**
   * The amount due: for a debit note its cumulative `totalAmountDue` for the activity (not a
   * delta), for an invoice the total for the agreement.
   */
  readonly amount: Decimal;
  /** A debit note's `usageCounterVector`, in the order of the agreement's usage vector. */
  readonly usage?: readonly number[];
  /**
   * The agreement's pricing and approval time: emits once and completes (cold; the operator
   * caches the answer per agreement once it carries `approvedAt`, and asks again until then).
   */
  agreementTerms(): Observable<PayableAgreementTerms>;
  /**
   * Accepts the document for `amount` (the full amount due: yagna requires it) against
   * `allocation`; completes on success. Cold; unsubscribing aborts the call.
   */
  accept(allocation: A, amount: Decimal): Observable<void>;
}

/** Why a document was refused as over price. */
export type OverPriceReason =
  /** The amount is above the limit the price model allows (with grace). */
  | 'price'
  /** The usage billed is above what the time since approval allows, or does not fit the usage vector. */
  | 'usage'
  /** It cannot be checked: no linear pricing in the terms, or no bound for a billed counter. */
  | 'unverifiable';

/**
 * What `acceptPayments` reports about each document, plus one `summary` when its source
 * completes. Refusals are events, not errors: the stream goes on. A refused debit note is not
 * accepted, so the provider ends the agreement when its accept-timeout passes.
 */
export type PaymentEvent<A = unknown> =
  | {
      /** Accepted; `amount` is what it charged (the delta over what was accepted before). */
      readonly kind: 'accepted';
      readonly document: PayableDocument<A>;
      readonly amount: Decimal;
      /** Everything accepted so far, this one included. */
      readonly spent: Decimal;
    }
  | {
      /** Not accepted: above what the agreement's prices allow. */
      readonly kind: 'overPrice';
      readonly document: PayableDocument<A>;
      readonly reason: OverPriceReason;
      /** The highest amount that would have been accepted (with grace), when one is known. */
      readonly limit: Decimal | undefined;
    }
  | {
      /** Not accepted: accepting would take the spending over the budget. */
      readonly kind: 'overBudget';
      readonly document: PayableDocument<A>;
      /** What accepting would have charged. */
      readonly amount: Decimal;
      /** Spent (and being accepted) so far. */
      readonly spent: Decimal;
      readonly budget: Decimal;
    }
  | {
      /** Not accepted: reading the agreement's terms or the accept call failed. */
      readonly kind: 'failed';
      readonly document: PayableDocument<A>;
      readonly error: unknown;
    }
  | {
      /** The last event, when the source completes (e.g. the node closes). */
      readonly kind: 'summary';
      /** Everything accepted. */
      readonly spent: Decimal;
      /** The agreements billed (a debit note or an invoice seen) whose invoice was not accepted. */
      readonly unpaid: readonly string[];
    };
