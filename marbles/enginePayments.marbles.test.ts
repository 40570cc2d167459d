import { Decimal } from 'decimal.js';
import { EMPTY, NEVER, type Observable, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../src/engine/events.js';
import { JobPayments } from '../src/engine/payments.js';
import { isBudgetExceededError } from '../src/errors/BudgetExceededError.js';
import { isPaymentRefusedError } from '../src/errors/PaymentRefusedError.js';
import type { Allocation } from '../src/resources/Allocation.js';
import type { GolemNode } from '../src/node/GolemNode.js';
import { type FakePayable, fakeDebitNote, fakeInvoice } from '../src/testing/payments.js';

/** Linear pricing: 0.1 GLM per second of duration and of CPU, no start fee, one thread. */
const OFFER = {
  'golem.com.pricing.model.linear.coeffs': [0.1, 0.1, 0],
  'golem.com.usage.vector': ['golem.usage.duration_sec', 'golem.usage.cpu_sec'],
  'golem.inf.cpu.threads': 1,
};

/** The agreement terms of every document: the pricing above, approved at 0. */
const terms = { properties: OFFER, approvedAt: 0 };

/** A node whose payment streams are the given Observables (of documents, as the resources are). */
const nodeWith = (debitNotes$: Observable<FakePayable>, invoices$: Observable<FakePayable>) =>
  ({ debitNotes$, invoices$ }) as unknown as GolemNode;
const allocation = { id: 'alloc' } as Allocation;

function debitNote(
  id: string,
  agreementId: string,
  activityId: string,
  amount: string,
  accept: Observable<void>,
  usage?: number[],
): FakePayable {
  return fakeDebitNote({ id, agreementId, activityId, amount, accept, terms, ...(usage ? { usage } : {}) });
}
function invoice(id: string, agreementId: string, amount: string, accept: Observable<void>): FakePayable {
  return fakeInvoice({ id, agreementId, activityIds: ['x1'], amount, accept, terms });
}

const label = (e: JobEvent): string =>
  `${e.type} ${'documentId' in e ? e.documentId : 'debitNoteId' in e ? e.debitNoteId : 'invoiceId' in e ? e.invoiceId : ''}`;

describe('JobPayments (acceptPayments for one job)', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('waits for the invoices at most invoiceTimeout, in virtual time, reporting the missing ones', () => {
    const events: JobEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable }) => {
      const invoices$ = hot<FakePayable>('---a', { a: invoice('i1', 'A1', '0.1', cold<void>('-|')) });
      const payments = new JobPayments(
        nodeWith(NEVER, invoices$),
        allocation,
        new Decimal(1),
        (e) => events.push(e),
        () => {},
        testScheduler,
      );
      payments.track('A1');
      payments.track('A2');
      // run$ pays in the background while invoices$ waits (A1 paid at frame 4, A2 never invoiced)
      expectObservable(payments.run$(), '^-----------!').toBe('');
      expectObservable(payments.invoices$(10)).toBe('----------|');
    });
    expect(events.map(label)).toEqual(['invoiceAccepted i1', 'invoiceMissing ']);
    expect(events[1]).toEqual({ type: 'invoiceMissing', agreementId: 'A2' });
  });

  it('pays the job’s debit notes only, never over budget, and stops the job at it', () => {
    const events: JobEvent[] = [];
    const over: string[] = [];
    let spent = '';
    testScheduler.run(({ hot, cold, expectObservable }) => {
      const ok = cold<void>('-|');
      const notes$ = hot<FakePayable>('-a-b-c-d', {
        a: debitNote('d1', 'A1', 'x1', '0.4', ok),
        b: debitNote('d2', 'OTHER', 'x9', '0.5', ok), // another job's: ignored
        c: debitNote('d3', 'A1', 'x1', '0.7', ok), // cumulative: charges 0.3
        d: debitNote('d4', 'A1', 'x2', '0.5', ok), // a second activity: 1.2 > 1, refused
      });
      const payments = new JobPayments(
        nodeWith(notes$, EMPTY),
        allocation,
        new Decimal(1),
        (e) => events.push(e),
        (id) => over.push(id),
        testScheduler,
      );
      payments.track('A1');
      expectObservable(payments.run$(), '^---------!').toBe('');
      testScheduler.schedule(() => (spent = payments.spent.toString()), 9);
    });
    expect(events.map(label)).toEqual(['debitNoteAccepted d1', 'debitNoteAccepted d3', 'paymentRefused d4']);
    const refused = events[2];
    expect(refused?.type === 'paymentRefused' && isBudgetExceededError(refused.error)).toBe(true);
    expect(over).toEqual(['A1']);
    expect(spent).toBe('0.7');
  });

  it('refuses a debit note over its agreement’s prices', () => {
    const events: JobEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable }) => {
      // usage 1 s + 1 s at 0.1 GLM/s is 0.2 GLM; 0.9 is far over (grace 5%)
      const notes$ = hot<FakePayable>('-a', {
        a: debitNote('d1', 'A1', 'x1', '0.9', cold<void>('-|'), [1, 1]),
      });
      const payments = new JobPayments(
        nodeWith(notes$, EMPTY),
        allocation,
        new Decimal(10),
        (e) => events.push(e),
        () => {},
        testScheduler,
      );
      payments.track('A1');
      expectObservable(payments.run$(), '^---!').toBe('');
    });
    expect(events.map(label)).toEqual(['paymentRefused d1']);
    const refused = events[0];
    expect(
      refused?.type === 'paymentRefused' && isPaymentRefusedError(refused.error) && refused.error.reason,
    ).toBe('price');
  });

  it('counts an invoice as the agreement’s whole cost', () => {
    const events: JobEvent[] = [];
    let spent = '';
    testScheduler.run(({ hot, expectObservable }) => {
      const notes$ = hot<FakePayable>('-a', { a: debitNote('d1', 'A1', 'x1', '0.4', of(undefined)) });
      const invoices$ = hot<FakePayable>('---i', { i: invoice('i1', 'A1', '0.5', of(undefined)) });
      const payments = new JobPayments(
        nodeWith(notes$, invoices$),
        allocation,
        new Decimal(1),
        (e) => events.push(e),
        () => {},
        testScheduler,
      );
      payments.track('A1');
      expectObservable(payments.run$(), '^----!').toBe('');
      testScheduler.schedule(() => (spent = payments.spent.toString()), 4);
    });
    expect(events.map((e) => e.type)).toEqual(['debitNoteAccepted', 'invoiceAccepted']);
    expect(spent).toBe('0.5');
  });
});
