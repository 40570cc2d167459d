/**
 * The engine's job with the node's payer on: it follows `node.payments$` for its own agreements
 * and pays nothing itself (two payers would race). Virtual time.
 */
import { Decimal } from 'decimal.js';
import { type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src/engine/events.js';
import { JobPayments } from '../../src/engine/payments.js';
import { isBudgetExceededError } from '../../src/errors/BudgetExceededError.js';
import type { Allocation } from '../../src/resources/Allocation.js';
import type { GolemNode } from '../../src/node/GolemNode.js';
import type { NodePaymentEvent } from '../../src/node/nodePayments.js';
import { fakeDebitNote, fakeInvoice } from '../../src/testing/payments.js';

const allocation = { id: 'alloc' } as Allocation;

/** A node whose payer reports `payments$`; its document streams must not be used. */
const nodeWith = (payments$: Observable<NodePaymentEvent>, touched: string[]) =>
  ({
    payments$,
    get debitNotes$() {
      touched.push('debitNotes$');
      return payments$;
    },
    get invoices$() {
      touched.push('invoices$');
      return payments$;
    },
  }) as unknown as GolemNode;

const note = (id: string, agreementId: string, amount: string) =>
  fakeDebitNote<Allocation>({ id, agreementId, activityId: 'x1', amount });
const bill = (id: string, agreementId: string, amount: string) =>
  fakeInvoice<Allocation>({ id, agreementId, activityIds: ['x1'], amount });

describe('JobPayments with the node’s payer', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('follows the node’s events for its agreements, counts only its own spending, and waits for its invoices', () => {
    const events: JobEvent[] = [];
    const touched: string[] = [];
    let spent = '';
    testScheduler.run(({ hot, expectObservable }) => {
      const d1 = note('d1', 'A1', '0.4');
      const i1 = bill('i1', 'A1', '0.5');
      // prettier-ignore
      const payments$ = hot<NodePaymentEvent>('-a-b--c', {
        a: { kind: 'accepted', document: d1, amount: new Decimal('0.4'), spent: new Decimal('3.4'), limit: new Decimal(1) },
        b: { kind: 'accepted', document: note('d9', 'OTHER', '3'), amount: new Decimal(3), spent: new Decimal('3'), limit: new Decimal(3) },
        c: { kind: 'accepted', document: i1, amount: new Decimal('0.1'), spent: new Decimal('3.5'), limit: new Decimal(1) },
      });
      const payments = new JobPayments(
        nodeWith(payments$, touched),
        allocation,
        new Decimal(1),
        (e) => events.push(e),
        () => {},
        testScheduler,
        'node',
      );
      payments.track('A1');
      expectObservable(payments.run$(), '^--------!').toBe('');
      expectObservable(payments.invoices$(100)).toBe('------|');
      testScheduler.schedule(() => (spent = payments.spent.toString()), 8);
    });
    expect(events.map((e) => e.type)).toEqual(['debitNoteAccepted', 'invoiceAccepted']);
    expect(spent).toBe('0.5');
    expect(touched).toEqual([]);
  });

  it('stops the job when the node’s payer refuses one of its documents for the budget', () => {
    const events: JobEvent[] = [];
    const over: string[] = [];
    testScheduler.run(({ hot, expectObservable }) => {
      // prettier-ignore
      const payments$ = hot<NodePaymentEvent>('--a', {
        a: { kind: 'overBudget', document: note('d2', 'A1', '2'), amount: new Decimal(2), spent: new Decimal('0.4'), budget: new Decimal(1) },
      });
      const payments = new JobPayments(
        nodeWith(payments$, []),
        allocation,
        new Decimal(1),
        (e) => events.push(e),
        (id) => over.push(id),
        testScheduler,
        'node',
      );
      payments.track('A1');
      expectObservable(payments.run$(), '^----!').toBe('');
    });
    expect(over).toEqual(['A1']);
    const refused = events[0];
    expect(refused?.type === 'paymentRefused' && isBudgetExceededError(refused.error)).toBe(true);
  });
});
