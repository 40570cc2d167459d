/**
 * The calls `acceptPayments` makes besides accepting: reading the usage of an invoice's
 * activities, and rejecting a document refused as over price. Each is a cold Observable over the
 * document's port.
 *
 * @internal
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
import { isYagnaNotImplementedError } from '../../errors/YagnaNotImplementedError.js';
import type { PayableDocument, PaymentEvent, RejectionOutcome } from '../../ports/index.js';
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
  if (reason === 'unverifiable' || document.reject === undefined) return of(event('notAttempted'));
  const known = ledger.rejection(document.id);
  if (known !== undefined) return of(event(known));
  const rejection = {
    rejectionReason: 'INCORRECT_AMOUNT' as const,
    totalAmountAccepted: accepted,
    message: describe(document, verdict),
  };
  return defer(() => document.reject?.(rejection) ?? of(undefined)).pipe(
    ignoreElements(),
    concatWith(defer(() => of<RejectionOutcome>('rejected'))),
    map((outcome) => [outcome, undefined] as const),
    catchError((error: unknown) =>
      of([isYagnaNotImplementedError(error) ? 'notImplemented' : 'failed', error] as const),
    ),
    map(([outcome, error]) => {
      ledger.rejected(document.id, outcome);
      return event(outcome, error);
    }),
  );
}
