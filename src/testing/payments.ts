/**
 * Fake debit notes and invoices that implement the port of `acceptPayments`, for marble tests of
 * a payment policy: give `accept` a `cold('-|')` and assert its subscriptions.
 *
 * @module
 */
import { Decimal } from 'decimal.js';
import { EMPTY, type Observable, ignoreElements, of } from 'rxjs';
import type {
  PayableAgreementTerms,
  PayableDocument,
  PaymentRejection,
} from '../operators/acceptPayments.js';
import type { FakeCall } from './fakes.js';

/** A fake {@link PayableDocument} that records its `accept`, `reject` and `activityUsage` calls. */
export interface FakePayable<A = unknown> extends PayableDocument<A> {
  /** The arguments of every `accept` call, in order. */
  readonly acceptCalls: ReadonlyArray<{ allocation: A; amount: Decimal }>;
  /** The rejection of every `reject` call, in order (only when `reject` was given). */
  readonly rejectCalls: readonly PaymentRejection[];
  /** The activity of every `activityUsage` call, in order (only when `activityUsage` was given). */
  readonly usageCalls: readonly string[];
}

/** What the fake payable documents share. */
export interface FakePayableInit<A> {
  readonly id: string;
  readonly agreementId: string;
  /** The amount due (a debit note's cumulative total, an invoice's amount). */
  readonly amount: Decimal.Value;
  /** The agreement's terms, or an Observable of them. @default `{ properties: {} }` */
  readonly terms?: PayableAgreementTerms | FakeCall<[], PayableAgreementTerms>;
  /** What `accept` does. @default completes at once */
  readonly accept?: FakeCall<[allocation: A, amount: Decimal], unknown>;
  /**
   * What `reject` does; without it the fake has no `reject` (the port's method is optional).
   * @example cold('-#', undefined, new YagnaNotImplementedError(…)) // as Real yagna answers
   */
  readonly reject?: FakeCall<[rejection: PaymentRejection], unknown>;
  /**
   * The usage of each activity (by id; an activity left out reports none), or what
   * `activityUsage` returns; without it the fake has no `activityUsage`.
   */
  readonly activityUsage?:
    | Readonly<Record<string, readonly number[]>>
    | ((activityId: string) => Observable<readonly number[] | undefined>);
}

function payable<A>(
  init: FakePayableInit<A>,
  extra: Pick<PayableDocument<A>, 'kind' | 'activityId' | 'activityIds' | 'usage'>,
): FakePayable<A> {
  const acceptCalls: Array<{ allocation: A; amount: Decimal }> = [];
  const rejectCalls: PaymentRejection[] = [];
  const usageCalls: string[] = [];
  const { terms = { properties: {} }, reject, activityUsage } = init;
  const document: FakePayable<A> = {
    id: init.id,
    agreementId: init.agreementId,
    amount: new Decimal(init.amount),
    ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)),
    kind: extra.kind,
    acceptCalls,
    rejectCalls,
    usageCalls,
    agreementTerms(): Observable<PayableAgreementTerms> {
      if (typeof terms === 'function') return terms();
      return 'properties' in terms ? of(terms) : terms;
    },
    accept(allocation: A, amount: Decimal): Observable<void> {
      acceptCalls.push({ allocation, amount });
      const { accept } = init;
      if (accept === undefined) return EMPTY;
      return (typeof accept === 'function' ? accept(allocation, amount) : accept).pipe(ignoreElements());
    },
  };
  return Object.assign(
    document,
    reject === undefined
      ? {}
      : {
          reject(rejection: PaymentRejection): Observable<void> {
            rejectCalls.push(rejection);
            return (typeof reject === 'function' ? reject(rejection) : reject).pipe(ignoreElements());
          },
        },
    activityUsage === undefined
      ? {}
      : {
          activityUsage(activityId: string): Observable<readonly number[] | undefined> {
            usageCalls.push(activityId);
            return typeof activityUsage === 'function'
              ? activityUsage(activityId)
              : of(activityUsage[activityId]);
          },
        },
  );
}

/**
 * A fake debit note (`kind: 'DebitNote'`).
 *
 * @example
 * ```ts
 * const accept = cold('-|');
 * const d1 = fakeDebitNote({ id: 'd1', agreementId: 'ag', activityId: 'act', amount: '0.01', usage: [60, 60], terms, accept });
 * ```
 */
export function fakeDebitNote<A = unknown>(
  init: FakePayableInit<A> & { readonly activityId: string; readonly usage?: readonly number[] },
): FakePayable<A> {
  return payable(init, { kind: 'DebitNote', activityId: init.activityId, usage: init.usage });
}

/**
 * A fake invoice (`kind: 'Invoice'`).
 *
 * @example
 * ```ts
 * const i1 = fakeInvoice({ id: 'i1', agreementId: 'ag', activityIds: ['act'], amount: '0.012', terms });
 * ```
 */
export function fakeInvoice<A = unknown>(
  init: FakePayableInit<A> & { readonly activityIds?: readonly string[] },
): FakePayable<A> {
  return payable(init, { kind: 'Invoice', activityIds: init.activityIds });
}
