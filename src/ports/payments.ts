/**
 * The payment ports: what `acceptPayments` (src/operators) needs from a debit note or an invoice,
 * and what it reports about each one. `src/resources`' `DebitNote` and `Invoice` implement
 * {@link PayableDocument}; the node's payer routes the {@link PaymentEvent}s.
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
  /**
   * Optional. Reads the usage counters the provider reports for one activity of the agreement
   * (yagna's `GET /activity/{activityId}/usage`, `currentUsage`, in the order of the agreement's
   * usage vector). `acceptPayments` asks it for each activity of an **invoice**, since the last
   * debit note does not cover the usage after it. Emits the counters once and completes, or emits
   * `undefined` when the provider reports none for that activity (e.g. yagna answers 404 or
   * `currentUsage` is absent); errors when the call fails (the invoice then gets a `failed`
   * event). Cold; unsubscribing aborts the call. Without it, an invoice is checked against its
   * activities' debit notes only, so usage after the last debit note makes it `overPrice`.
   */
  activityUsage?(activityId: string): Observable<readonly number[] | undefined>;
  /**
   * Optional. Rejects the document through yagna (`POST /debitNotes/{id}/reject`,
   * `POST /invoices/{id}/reject`); completes on success. `acceptPayments` calls it once for a
   * document refused as `overPrice` for its `price` or `usage`, or as `overBudget`. Real yagna answers 501
   * (`YagnaNotImplementedError`): the rejection is then recorded as attempted. Cold;
   * unsubscribing aborts the call.
   */
  reject?(rejection: PaymentRejection): Observable<void>;
}

/** What `acceptPayments` sends when it rejects a document (yagna's `Rejection`). */
export interface PaymentRejection {
  /**
   * `INCORRECT_AMOUNT`: the amount is above what the agreed prices allow (`overPrice`);
   * `UNSOLICITED_SERVICE`: it bills beyond what we would pay for, the budget or the agreement's
   * cost cap (`overBudget`).
   */
  readonly rejectionReason: 'INCORRECT_AMOUNT' | 'UNSOLICITED_SERVICE';
  /**
   * What was accepted for what the document bills: the debit notes accepted for its activity (a
   * debit note) or for its agreement (an invoice).
   */
  readonly totalAmountAccepted: Decimal;
  /** The amount, the limit and why, for the provider's operator. */
  readonly message: string;
}

/**
 * What became of the rejection of a document refused as `overPrice` (the `rejection` of the event).
 * - `rejected`: yagna recorded it;
 * - `notImplemented`: attempted, yagna answered 501 as Real yagna does (the document stays
 *   `RECEIVED`; the provider sees no acceptance);
 * - `failed`: attempted, the call failed otherwise (`rejectionError`); tried again if the document
 *   comes again;
 * - `notAttempted`: the port has no `reject`, or the refusal is `unverifiable` (nothing to say the
 *   amount is incorrect).
 */
export type RejectionOutcome = 'rejected' | 'notImplemented' | 'failed' | 'notAttempted';

/**
 * Why a document was skipped (neither checked nor accepted, and never rejected):
 * - `invoiced`: a debit note of an agreement whose invoice was taken up before it (accepted, being
 *   accepted, or refused), or an invoice of an agreement whose invoice was accepted already. The
 *   invoice is the provider's final bill: it charges what the accepted debit notes did not cover,
 *   so accepting a debit note after it would pay that usage twice.
 * - `superseded`: a debit note whose total is below the total already accepted for its activity
 *   (it arrived out of order). Debit notes are cumulative: the higher one covers it.
 */
export type SkipReason = 'invoiced' | 'superseded';

/** Why a document was refused as over price. */
export type OverPriceReason =
  /** The amount is above the agreed prices applied to the usage reported (with grace). */
  | 'price'
  /** The usage reported is above what the time since approval allows, or does not fit the usage vector. */
  | 'usage'
  /**
   * It cannot be checked: no linear pricing in the terms, no activities known for an invoice, or no
   * usage reported and no bound for a billed counter (or `unreportedUsage: 'refuse'`).
   */
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
      /** The highest amount that would have been accepted (the price check's limit, with grace). */
      readonly limit: Decimal;
    }
  | {
      /**
       * Not accepted: above what the agreement's prices allow. Emitted after the rejection was
       * attempted (see `rejection`).
       */
      readonly kind: 'overPrice';
      readonly document: PayableDocument<A>;
      readonly reason: OverPriceReason;
      /** The highest amount that would have been accepted (with grace), when one is known. */
      readonly limit: Decimal | undefined;
      /** Whether the document was rejected through yagna (see {@link RejectionOutcome}). */
      readonly rejection: RejectionOutcome;
      /** The error of the reject call when `rejection` is `notImplemented` or `failed`. */
      readonly rejectionError?: unknown;
    }
  | {
      /**
       * Not checked and not accepted, by the order rules: a debit note after its agreement's
       * invoice, an invoice after another one of its agreement was accepted, or a debit note below
       * what was accepted for its activity (see {@link SkipReason}).
       */
      readonly kind: 'skipped';
      readonly document: PayableDocument<A>;
      readonly reason: SkipReason;
    }
  | {
      /**
       * Not accepted: accepting would take the spending over the budget (`scope: 'budget'`), or
       * the agreement's total over its cost cap (`scope: 'costCap'`). Emitted after the rejection
       * was attempted (see `rejection`).
       */
      readonly kind: 'overBudget';
      readonly document: PayableDocument<A>;
      /** What accepting would have charged. */
      readonly amount: Decimal;
      /**
       * Spent (and being accepted) so far: in all (`budget`), or for the agreement (`costCap`).
       */
      readonly spent: Decimal;
      /** The limit: the budget, or the agreement's cost cap. */
      readonly budget: Decimal;
      /** Which limit it would go over. Absent (a policy of your own): `'budget'`. */
      readonly scope?: 'budget' | 'costCap';
      /** Whether the document was rejected through yagna; absent when the policy does not say. */
      readonly rejection?: RejectionOutcome;
      /** The error of the reject call when `rejection` is `notImplemented` or `failed`. */
      readonly rejectionError?: unknown;
    }
  | {
      /**
       * Not accepted: reading the agreement's terms, reading an invoice's activity usage, or the
       * accept call failed. Checked again if the document comes again.
       */
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
