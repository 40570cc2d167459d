/**
 * The state machine of `acceptPayments`: one queue per agreement (its documents are checked and
 * accepted one at a time, so each sees what the previous one accepted), a ledger of what was
 * accepted, and the budget, reserved while an accept call is in flight.
 *
 * @internal
 * @module
 */
import { Decimal } from 'decimal.js';
import {
  Observable,
  type SchedulerLike,
  Subscription,
  catchError,
  concatMap,
  concatWith,
  defer,
  finalize,
  ignoreElements,
  map,
  of,
  take,
  throwIfEmpty,
} from 'rxjs';
import { MissingAgreementTermsError } from '../../errors/MissingAgreementTermsError.js';
import {
  type CheckContext,
  type PaymentGrace,
  checkDebitNote,
  checkInvoice,
} from './acceptPaymentsPolicy.js';
import type { PayableAgreementTerms, PayableDocument, PaymentEvent } from './acceptPaymentsTypes.js';
import { subscribeUpstream } from './operatorInternals.js';

/** The settings `acceptPayments` runs with, resolved. */
export interface AcceptPaymentsSettings<A> {
  readonly allocation: A;
  readonly budget: Decimal;
  readonly grace: PaymentGrace;
  readonly clockSkew: number;
  readonly concurrency: number;
  readonly scheduler: SchedulerLike;
}

/** What was accepted, per subscription. */
class Ledger {
  spent = new Decimal(0);
  reserved = new Decimal(0);
  /** Agreement → activity → the last debit-note total accepted. */
  private readonly perActivity = new Map<string, Map<string, Decimal>>();
  private readonly accepted = new Set<string>();
  private readonly billed = new Set<string>();
  private readonly paid = new Set<string>();

  seen(document: PayableDocument): void {
    this.billed.add(document.agreementId);
  }
  isAccepted(id: string): boolean {
    return this.accepted.has(id);
  }
  activities(agreementId: string): Map<string, Decimal> {
    let map = this.perActivity.get(agreementId);
    if (!map) this.perActivity.set(agreementId, (map = new Map<string, Decimal>()));
    return map;
  }
  /** The debit notes accepted for an agreement: the sum of each activity's last total. */
  acceptedFor(agreementId: string): Decimal {
    let sum = new Decimal(0);
    for (const total of this.activities(agreementId).values()) sum = sum.plus(total);
    return sum;
  }
  /** What accepting would charge, as yagna counts it. */
  charge(document: PayableDocument): Decimal {
    const before =
      document.kind === 'DebitNote'
        ? (this.activities(document.agreementId).get(activityOf(document)) ?? new Decimal(0))
        : this.acceptedFor(document.agreementId);
    return Decimal.max(0, document.amount.minus(before));
  }
  commit(document: PayableDocument, charge: Decimal): void {
    this.accepted.add(document.id);
    this.spent = this.spent.plus(charge);
    if (document.kind === 'Invoice') {
      this.paid.add(document.agreementId);
      return;
    }
    const activities = this.activities(document.agreementId);
    const before = activities.get(activityOf(document));
    if (before === undefined || document.amount.greaterThan(before)) {
      activities.set(activityOf(document), document.amount);
    }
  }
  unpaid(): string[] {
    return [...this.billed].filter((id) => !this.paid.has(id));
  }
}

function activityOf(document: PayableDocument): string {
  return document.activityId ?? '';
}

/** Runs `acceptPayments` on one subscription of `source`. */
export function runAcceptPayments<A>(
  source: Observable<PayableDocument<A>>,
  settings: AcceptPaymentsSettings<A>,
): Observable<PaymentEvent<A>> {
  const { allocation, budget, grace, clockSkew, concurrency, scheduler } = settings;
  return new Observable<PaymentEvent<A>>((subscriber) => {
    const ledger = new Ledger();
    const queues = new Map<string, PayableDocument<A>[]>();
    const runnable = new Set<string>(); // agreements with queued documents and none in progress
    const busy = new Set<string>();
    const pendingIds = new Set<string>();
    const terms = new Map<string, PayableAgreementTerms>();
    const running = new Subscription();
    let active = 0;
    let sourceDone = false;
    let pumping = false;
    subscriber.add(running);

    const termsOf = (document: PayableDocument<A>): Observable<PayableAgreementTerms> => {
      const known = terms.get(document.agreementId);
      if (known) return of(known);
      return defer(() => document.agreementTerms()).pipe(
        take(1),
        throwIfEmpty(
          () =>
            new MissingAgreementTermsError({ agreementId: document.agreementId, documentId: document.id }),
        ),
        map((loaded) => {
          // Terms read before the approval was known are read again for the next document.
          if (loaded.approvedAt !== undefined) terms.set(document.agreementId, loaded);
          return loaded;
        }),
      );
    };

    const accept = (document: PayableDocument<A>, charge: Decimal): Observable<PaymentEvent<A>> => {
      ledger.reserved = ledger.reserved.plus(charge);
      let reserved = true;
      const unreserve = (): void => {
        if (!reserved) return;
        reserved = false;
        ledger.reserved = ledger.reserved.minus(charge);
      };
      return defer(() => document.accept(allocation, document.amount)).pipe(
        ignoreElements(),
        concatWith(
          defer(() => {
            unreserve();
            ledger.commit(document, charge);
            return of<PaymentEvent<A>>({ kind: 'accepted', document, amount: charge, spent: ledger.spent });
          }),
        ),
        finalize(unreserve),
      );
    };

    const process = (document: PayableDocument<A>): Observable<PaymentEvent<A>> =>
      termsOf(document).pipe(
        concatMap((agreementTerms) => {
          const context: CheckContext = { now: scheduler.now(), clockSkew, grace };
          const verdict =
            document.kind === 'DebitNote'
              ? checkDebitNote(document, agreementTerms, context)
              : checkInvoice(
                  document,
                  agreementTerms,
                  ledger.acceptedFor(document.agreementId),
                  ledger.activities(document.agreementId).size,
                  context,
                );
          if (!verdict.ok) {
            return of<PaymentEvent<A>>({
              kind: 'overPrice',
              document,
              reason: verdict.reason,
              limit: verdict.limit,
            });
          }
          const charge = ledger.charge(document);
          const committed = ledger.spent.plus(ledger.reserved);
          if (committed.plus(charge).greaterThan(budget)) {
            return of<PaymentEvent<A>>({
              kind: 'overBudget',
              document,
              amount: charge,
              spent: committed,
              budget,
            });
          }
          return accept(document, charge);
        }),
        catchError((error: unknown) => of<PaymentEvent<A>>({ kind: 'failed', document, error })),
      );

    const start = (agreementId: string): void => {
      const queue = queues.get(agreementId)!;
      const document = queue.shift()!;
      if (queue.length === 0) queues.delete(agreementId);
      busy.add(agreementId);
      active++;
      const inner = new Subscription();
      running.add(inner);
      inner.add(
        process(document).subscribe({
          next: (event) => subscriber.next(event),
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            active--;
            busy.delete(agreementId);
            pendingIds.delete(document.id);
            running.remove(inner);
            if (queues.has(agreementId)) runnable.add(agreementId);
            pump();
          },
        }),
      );
    };
    // Re-entrant calls (a document settled synchronously) return at once: the loop re-reads the state.
    const pump = (): void => {
      if (pumping || subscriber.closed) return;
      pumping = true;
      try {
        while (!subscriber.closed && active < concurrency && runnable.size > 0) {
          const agreementId = runnable.values().next().value!;
          runnable.delete(agreementId);
          start(agreementId);
        }
      } finally {
        pumping = false;
      }
      if (!subscriber.closed && sourceDone && active === 0 && runnable.size === 0) {
        subscriber.next({ kind: 'summary', spent: ledger.spent, unpaid: ledger.unpaid() });
        subscriber.complete();
      }
    };

    subscribeUpstream(source, subscriber, {
      next: (document) => {
        ledger.seen(document);
        // Never twice: skip what was accepted or is being processed; a refused one is checked again.
        if (ledger.isAccepted(document.id) || pendingIds.has(document.id)) return;
        pendingIds.add(document.id);
        const queue = queues.get(document.agreementId);
        if (queue) queue.push(document);
        else queues.set(document.agreementId, [document]);
        if (!busy.has(document.agreementId)) runnable.add(document.agreementId);
        pump();
      },
      complete: () => {
        sourceDone = true;
        pump();
      },
    });
  });
}
