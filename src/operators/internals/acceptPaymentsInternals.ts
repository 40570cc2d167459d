/**
 * The state machine of `acceptPayments`: one queue per agreement (its documents are checked and
 * accepted one at a time, in arrival order, so each sees what the previous one accepted), a ledger
 * of what was accepted, and the budget, reserved while an accept call is in flight.
 *
 * @module
 */
import type { Decimal } from 'decimal.js';
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
import { MissingAgreementTermsError } from '../errors/MissingAgreementTermsError.js';
import type { PayableAgreementTerms, PayableDocument, PaymentEvent } from '../../ports/index.js';
import { PaymentLedger } from './acceptPaymentsLedger.js';
import {
  type CheckContext,
  type PaymentGrace,
  type UnreportedUsage,
  type Verdict,
  checkDebitNote,
  checkInvoice,
} from './acceptPaymentsPolicy.js';
import { invoiceEvidence, refuse, refuseOverBudget } from './acceptPaymentsSteps.js';
import { subscribeUpstream } from './operatorInternals.js';

/** The settings `acceptPayments` runs with, resolved. */
export interface AcceptPaymentsSettings<A> {
  readonly allocation: A;
  readonly budget: Decimal;
  readonly grace: PaymentGrace;
  readonly clockSkew: number;
  readonly unreportedUsage: UnreportedUsage;
  readonly concurrency: number;
  readonly scheduler: SchedulerLike;
  /** The most an agreement may be charged in all, if capped. */
  readonly costCap: ((agreementId: string) => Decimal | undefined) | undefined;
}

/** Runs `acceptPayments` on one subscription of `source`. */
export function runAcceptPayments<A>(
  source: Observable<PayableDocument<A>>,
  settings: AcceptPaymentsSettings<A>,
): Observable<PaymentEvent<A>> {
  const { allocation, budget, grace, clockSkew, unreportedUsage, concurrency, scheduler, costCap } = settings;
  return new Observable<PaymentEvent<A>>((subscriber) => {
    const ledger = new PaymentLedger();
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

    const accept = (
      document: PayableDocument<A>,
      charge: Decimal,
      limit: Decimal,
    ): Observable<PaymentEvent<A>> => {
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
            const spent = ledger.spent;
            return of<PaymentEvent<A>>({ kind: 'accepted', document, amount: charge, spent, limit });
          }),
        ),
        finalize(unreserve),
      );
    };

    const check = (
      document: PayableDocument<A>,
      agreementTerms: PayableAgreementTerms,
    ): Observable<Verdict> => {
      const context = (): CheckContext => ({
        now: scheduler.now(),
        clockSkew,
        grace,
        unreported: unreportedUsage,
      });
      if (document.kind === 'Invoice') {
        return invoiceEvidence(document, ledger).pipe(
          map((evidence) => checkInvoice(document, agreementTerms, evidence, context())),
        );
      }
      return defer(() => {
        const verdict = checkDebitNote(document, agreementTerms, context());
        if (verdict.usage !== undefined) ledger.reportUsage(document, verdict.usage);
        return of(verdict);
      });
    };

    const pay = (document: PayableDocument<A>, verdict: Verdict): Observable<PaymentEvent<A>> => {
      if (!verdict.ok) return refuse(document, verdict, ledger, ledger.acceptedBefore(document));
      const charge = ledger.charge(document);
      const accepted = ledger.acceptedBefore(document);
      // The agreement's documents are processed one at a time: nothing of it is reserved here.
      const cap = costCap?.(document.agreementId);
      const agreementSpent = ledger.acceptedFor(document.agreementId);
      if (cap !== undefined && agreementSpent.plus(charge).greaterThan(cap)) {
        const over = { scope: 'costCap' as const, charge, spent: agreementSpent, limit: cap };
        return refuseOverBudget(document, over, accepted, ledger);
      }
      const committed = ledger.spent.plus(ledger.reserved);
      if (committed.plus(charge).greaterThan(budget)) {
        const over = { scope: 'budget' as const, charge, spent: committed, limit: budget };
        return refuseOverBudget(document, over, accepted, ledger);
      }
      return accept(document, charge, verdict.limit);
    };

    const process = (document: PayableDocument<A>): Observable<PaymentEvent<A>> => {
      // The order rules first: nothing after the agreement's invoice, no debit note below the last.
      const skip = ledger.skipReason(document);
      if (skip !== undefined) return of<PaymentEvent<A>>({ kind: 'skipped', document, reason: skip });
      ledger.takeUp(document);
      return termsOf(document).pipe(
        concatMap((agreementTerms) => check(document, agreementTerms)),
        concatMap((verdict) => pay(document, verdict)),
        catchError((error: unknown) => of<PaymentEvent<A>>({ kind: 'failed', document, error })),
      );
    };

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
