import { Decimal } from 'decimal.js';
import { EMPTY, NEVER, type Observable, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../src/engine/events.js';
import { JobPayments } from '../src/engine/payments.js';
import { isBudgetExceededError } from '../src/errors/BudgetExceededError.js';
import type { Allocation } from '../src/resources/Allocation.js';
import type { DebitNote } from '../src/resources/DebitNote.js';
import type { GolemNode } from '../src/resources/GolemNode.js';
import type { Invoice } from '../src/resources/Invoice.js';

/** A node whose payment streams are the given Observables. */
const nodeWith = (debitNotes$: Observable<DebitNote>, invoices$: Observable<Invoice>) =>
  ({ debitNotes$, invoices$ }) as unknown as GolemNode;
const allocation = { id: 'alloc' } as Allocation;

function debitNote(
  id: string,
  agreementId: string,
  activityId: string,
  due: string,
  accept$: Observable<void>,
): DebitNote {
  return {
    id,
    data: { agreementId, activityId, totalAmountDue: new Decimal(due) },
    accept: () => accept$,
  } as unknown as DebitNote;
}
function invoice(id: string, agreementId: string, amount: string, accept$: Observable<void>): Invoice {
  return {
    id,
    data: { agreementId, amount: new Decimal(amount) },
    accept: () => accept$,
  } as unknown as Invoice;
}

describe('JobPayments', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('waits for the invoices at most invoiceTimeout, in virtual time, reporting the missing ones', () => {
    const events: JobEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable }) => {
      const accepted = cold<void>('-|');
      const invoices$ = hot<Invoice>('---a', { a: invoice('i1', 'A1', '0.1', accepted) });
      const payments = new JobPayments(
        nodeWith(NEVER, invoices$),
        allocation,
        new Decimal(1),
        (e) => events.push(e),
        () => {},
      );
      payments.track('A1');
      payments.track('A2');
      // run$ pays in the background while invoices$ waits (A1 paid at frame 4, A2 never invoiced)
      expectObservable(payments.run$(), '^-----------!').toBe('');
      expectObservable(payments.invoices$(10, testScheduler)).toBe('----------|');
    });
    expect(events.map((e) => e.type)).toEqual(['invoiceAccepted', 'invoiceMissing']);
    expect(events[1]).toEqual({ type: 'invoiceMissing', agreementId: 'A2' });
  });

  it('accepts the job’s debit notes only, and refuses one that would go over budget', () => {
    const events: JobEvent[] = [];
    const over: string[] = [];
    let spent = '';
    testScheduler.run(({ hot, cold, expectObservable }) => {
      const ok = cold<void>('-|');
      const notes$ = hot<DebitNote>('-abcd', {
        a: debitNote('d1', 'A1', 'x1', '0.4', ok),
        b: debitNote('d2', 'OTHER', 'x9', '5', ok), // another job's: ignored
        c: debitNote('d3', 'A1', 'x1', '0.7', ok), // cumulative: +0.3
        d: debitNote('d4', 'A1', 'x2', '0.5', ok), // a second activity: 1.2 > 1, refused
      });
      const payments = new JobPayments(
        nodeWith(notes$, EMPTY),
        allocation,
        new Decimal(1),
        (e) => events.push(e),
        (id) => over.push(id),
      );
      payments.track('A1');
      expectObservable(payments.run$(), '^--------!').toBe('');
      testScheduler.schedule(() => (spent = payments.spent.toString()), 8);
    });
    expect(
      events.map(
        (e) => `${e.type} ${'documentId' in e ? e.documentId : 'debitNoteId' in e ? e.debitNoteId : ''}`,
      ),
    ).toEqual(['debitNoteAccepted d1', 'debitNoteAccepted d3', 'paymentRefused d4']);
    const refused = events[2];
    expect(refused?.type === 'paymentRefused' && isBudgetExceededError(refused.error)).toBe(true);
    expect(over).toEqual(['A1']);
    expect(spent).toBe('0.7');
  });

  it('counts an invoice as the agreement’s whole cost, replacing its debit notes', () => {
    const events: JobEvent[] = [];
    let spent = '';
    testScheduler.run(({ hot, expectObservable }) => {
      const notes$ = hot<DebitNote>('-a', { a: debitNote('d1', 'A1', 'x1', '0.4', of(undefined)) });
      const invoices$ = hot<Invoice>('---i', { i: invoice('i1', 'A1', '0.5', of(undefined)) });
      const payments = new JobPayments(
        nodeWith(notes$, invoices$),
        allocation,
        new Decimal(1),
        (e) => events.push(e),
        () => {},
      );
      payments.track('A1');
      expectObservable(payments.run$(), '^----!').toBe('');
      testScheduler.schedule(() => (spent = payments.spent.toString()), 4);
    });
    expect(events.map((e) => e.type)).toEqual(['debitNoteAccepted', 'invoiceAccepted']);
    expect(spent).toBe('0.5');
  });
});
