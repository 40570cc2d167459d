/**
 * The calls `acceptPayments` makes besides accepting: reading the usage of an invoice's
 * activities, and rejecting a document refused as over price or over budget. Each is a cold Observable over the
 * document's port.
 *
 * @module
 */
import type { Decimal } from 'decimal.js';
import {
  type Observable,
  catchError,
  concatWith,
  defaultIfEmpty,
  defer,
  forkJoin,
  ignoreElements,
  map,
  of,
  take,
} from 'rxjs';
import { isYagnaNotImplementedError } from '../../api/errors/YagnaNotImplementedError.js';
import type { PayableDocument, PaymentEvent, PaymentRejection, RejectionOutcome } from '../../ports/index.js';
import type { PaymentLedger } from './acceptPaymentsLedger.js';
import { type InvoiceEvidence, type Verdict, invoiceActivities } from './acceptPaymentsPolicy.js';

type Usage = readonly number[] | undefined;

/**
 * What an invoice is checked against: its agreement's debit-note usage from the ledger, and the
 * usage of each of its activities read through `document.activityUsage` (all at once), when the
 * port has it. Errors when a read fails.
 */
export function invoiceEvidence(
  document: PayableDocument,
  ledger: PaymentLedger,
): Observable<InvoiceEvidence> {
  const debitNoteUsage = ledger.reportedUsage(document.agreementId);
  const activities = invoiceActivities(document, debitNoteUsage) ?? [];
  if (document.activityUsage === undefined || activities.length === 0) {
    return of({ debitNoteUsage, activityUsage: new Map<string, Usage>() });
  }
  const reads = activities.map((activityId) =>
    defer(() => document.activityUsage?.(activityId) ?? of(undefined)).pipe(
      take(1),
      defaultIfEmpty(undefined),
      map((usage): [string, Usage] => [activityId, usage]),
    ),
  );
  return forkJoin(reads).pipe(map((entries) => ({ debitNoteUsage, activityUsage: new Map(entries) })));
}

function describe(document: PayableDocument, verdict: Verdict & { ok: false }): string {
  const what = `${document.kind === 'Invoice' ? 'Invoice' : 'Debit note'} ${document.id}`;
  if (verdict.reason === 'usage') {
    return `${what}: the usage reported does not fit the agreement's usage vector or exceeds what the time since approval allows`;
  }
  const limit = verdict.limit === undefined ? 'less' : `at most ${verdict.limit.toFixed()} GLM`;
  return `${what} bills ${document.amount.toFixed()} GLM; the agreed prices applied to the usage reported allow ${limit}`;
}

/**
 * Rejects `document` through its port, once (a rejection yagna recorded or answered 501 to is not
 * made again): emits what became of it, `notAttempted` when the port cannot reject.
 */
function attemptRejection<A>(
  document: PayableDocument<A>,
  rejection: PaymentRejection,
  ledger: PaymentLedger,
): Observable<readonly [RejectionOutcome, unknown]> {
  if (document.reject === undefined) return of(['notAttempted', undefined] as const);
  const known = ledger.rejection(document.id);
  if (known !== undefined) return of([known, undefined] as const);
  return defer(() => document.reject?.(rejection) ?? of(undefined)).pipe(
    ignoreElements(),
    concatWith(defer(() => of<RejectionOutcome>('rejected'))),
    map((outcome) => [outcome, undefined] as const),
    catchError((error: unknown) =>
      of([isYagnaNotImplementedError(error) ? 'notImplemented' : 'failed', error] as const),
    ),
    map(([outcome, error]) => {
      ledger.rejected(document.id, outcome);
      return [outcome, error] as const;
    }),
  );
}

/**
 * Refuses `document` as `overPrice`: rejects it through its port first (once: a rejection yagna
 * recorded or answered 501 to is not made again), except when the refusal is `unverifiable` or the
 * port cannot reject. Emits the one `overPrice` event, saying what became of the rejection.
 */
export function refuse<A>(
  document: PayableDocument<A>,
  verdict: Verdict & { ok: false },
  ledger: PaymentLedger,
  accepted: Decimal,
): Observable<PaymentEvent<A>> {
  const { reason, limit } = verdict;
  const event = (rejection: RejectionOutcome, rejectionError?: unknown): PaymentEvent<A> => ({
    kind: 'overPrice',
    document,
    reason,
    limit,
    rejection,
    ...(rejectionError === undefined ? {} : { rejectionError }),
  });
  if (reason === 'unverifiable') return of(event('notAttempted'));
  const rejection = {
    rejectionReason: 'INCORRECT_AMOUNT' as const,
    totalAmountAccepted: accepted,
    message: describe(document, verdict),
  };
  return attemptRejection(document, rejection, ledger).pipe(map(([outcome, error]) => event(outcome, error)));
}

/** What an over-budget refusal is about. */
export interface OverBudget {
  /** Which limit: the subscription's budget, or the agreement's cost cap. */
  readonly scope: 'budget' | 'costCap';
  /** What accepting would have charged. */
  readonly charge: Decimal;
  /** Spent (and reserved) so far, in all or for the agreement. */
  readonly spent: Decimal;
  /** The limit. */
  readonly limit: Decimal;
}

/**
 * Refuses `document` as `overBudget`: rejects it through its port first (once), as
 * `UNSOLICITED_SERVICE` (we asked for no more than the budget or the cap), then emits the one
 * `overBudget` event, saying what became of the rejection.
 */
export function refuseOverBudget<A>(
  document: PayableDocument<A>,
  over: OverBudget,
  accepted: Decimal,
  ledger: PaymentLedger,
): Observable<PaymentEvent<A>> {
  const what = `${document.kind === 'Invoice' ? 'Invoice' : 'Debit note'} ${document.id}`;
  const limit = over.scope === 'costCap' ? "the agreement's cost cap" : 'the budget';
  const rejection = {
    rejectionReason: 'UNSOLICITED_SERVICE' as const,
    totalAmountAccepted: accepted,
    message: `${what} would charge ${over.charge.toFixed()} GLM over ${over.spent.toFixed()} GLM spent, beyond ${limit} of ${over.limit.toFixed()} GLM`,
  };
  return attemptRejection(document, rejection, ledger).pipe(
    map(([outcome, error]): PaymentEvent<A> => ({
      kind: 'overBudget',
      document,
      amount: over.charge,
      spent: over.spent,
      budget: over.limit,
      scope: over.scope,
      rejection: outcome,
      ...(error === undefined ? {} : { rejectionError: error }),
    })),
  );
}
