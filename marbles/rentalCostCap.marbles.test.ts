/**
 * The payment side of a rental's terms, in `acceptPayments` (virtual time, fake documents): an
 * agreement's cost cap (`costCap`, what the node's payer gets from a rental's `costCap`) and the
 * budget refuse what would go over them, and reject it through yagna (`UNSOLICITED_SERVICE`, once),
 * as an over-price refusal is: the `overBudget` event says which limit and what became of the
 * rejection.
 */
import { Decimal } from 'decimal.js';
import { type Observable, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { YagnaNotImplementedError } from '../src/api/errors/YagnaNotImplementedError.js';
import { type PaymentEvent, acceptPayments } from '../src/operators/acceptPayments.js';
import { offerProperties } from '../src/testing/offers.js';
import { type FakePayable, fakeDebitNote, fakeInvoice } from '../src/testing/payments.js';

// Prices: 0.1 to start, 0.001 per second of duration, 0.002 per CPU second; 2 threads; usage
// vector [duration_sec, cpu_sec]; approved 100 s before virtual time 0 (as acceptPayments' specs).
const OFFER = offerProperties({ price: { start: '0.1', durationSec: '0.001', cpuSec: '0.002' }, threads: 2 });
const terms = { properties: OFFER, approvedAt: -100_000 };
const ALLOCATION = { id: 'allocation-1' };
type Doc = FakePayable<typeof ALLOCATION>;

const notImplemented = new YagnaNotImplementedError('Not implemented', {
  endpoint: 'POST /payment-api/v1/debitNotes/{debitNoteId}/reject',
  status: 501,
});

const note = (
  id: string,
  amount: string,
  usage: number[],
  extra: Partial<Parameters<typeof fakeDebitNote>[0]> = {},
): Doc =>
  fakeDebitNote<typeof ALLOCATION>({
    id,
    agreementId: 'ag1',
    activityId: 'act1',
    amount,
    terms,
    usage,
    ...extra,
  });
const invoice = (id: string, amount: string, extra: Partial<Parameters<typeof fakeInvoice>[0]> = {}): Doc =>
  fakeInvoice<typeof ALLOCATION>({ id, agreementId: 'ag1', activityIds: ['act1'], amount, terms, ...extra });

const view = (e: PaymentEvent<typeof ALLOCATION>): string => {
  switch (e.kind) {
    case 'accepted':
      return `accepted ${e.document.id} ${e.amount.toString()}`;
    case 'overBudget':
      return `overBudget ${e.document.id} ${e.scope ?? '-'} ${e.amount.toString()} over ${e.spent.toString()}/${e.budget.toString()} ${e.rejection ?? '-'}`;
    case 'summary':
      return `summary ${e.spent.toString()} unpaid [${e.unpaid.join(',')}]`;
    default:
      return `${e.kind} ${e.document.id}`;
  }
};

const run =
  (config: Partial<Parameters<typeof acceptPayments<typeof ALLOCATION>>[0]>) => (source: Observable<Doc>) =>
    source.pipe(acceptPayments({ allocation: ALLOCATION, budget: '10', clockSkew: 0, ...config }), map(view));

describe('acceptPayments: the cost cap of an agreement and the budget', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('accepts up to the cap, refuses and rejects what goes over it; other agreements are not capped', () => {
    let docs: Doc[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const eReject = cold('-#', undefined, notImplemented); // as Real yagna answers
      const iReject = cold('-#', undefined, notImplemented);
      const d = note('d', '0.2', [50, 25]);
      const e = note('e', '0.3', [80, 60], { reject: eReject });
      const i = invoice('i', '0.4', { activityUsage: { act1: [100, 100] }, reject: iReject });
      const f = note('f', '0.3', [80, 60], { agreementId: 'ag2' });
      docs = [d, e, i, f];
      // prettier-ignore
      const e1 = hot('  -d-e--i-f-|', { d, e, i, f });
      const expected = '-D--E--IF-(s|)';
      //                    e.reject -#, i.reject -#

      expectObservable(
        e1.pipe(run({ costCap: (agreementId) => (agreementId === 'ag1' ? '0.25' : undefined) })),
      ).toBe(expected, {
        D: 'accepted d 0.2',
        E: 'overBudget e costCap 0.1 over 0.2/0.25 notImplemented',
        I: 'overBudget i costCap 0.2 over 0.2/0.25 notImplemented',
        F: 'accepted f 0.3',
        s: 'summary 0.5 unpaid [ag1,ag2]',
      });
      expectSubscriptions(eReject.subscriptions).toBe('---^!');
      expectSubscriptions(iReject.subscriptions).toBe('------^!');
    });
    const [d, e, i] = docs;
    expect(d!.rejectCalls).toEqual([]);
    expect(e!.acceptCalls).toEqual([]);
    expect(i!.acceptCalls).toEqual([]);
    expect(e!.rejectCalls).toEqual([
      {
        rejectionReason: 'UNSOLICITED_SERVICE',
        totalAmountAccepted: new Decimal('0.2'),
        message:
          "Debit note e would charge 0.1 GLM over 0.2 GLM spent, beyond the agreement's cost cap of 0.25 GLM",
      },
    ]);
    expect(i!.rejectCalls[0]?.totalAmountAccepted).toEqual(new Decimal('0.2'));
  });

  it('accepts a document that reaches the cap exactly', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const d = note('d', '0.2', [50, 25]);
      // prettier-ignore
      const e1 = hot('  -d-|', { d });
      expectObservable(e1.pipe(run({ costCap: () => new Decimal('0.2') }))).toBe('-D-(s|)', {
        D: 'accepted d 0.2',
        s: 'summary 0.2 unpaid [ag1]',
      });
    });
  });

  it('rejects what goes over the budget through yagna too, once per document', () => {
    let f: Doc | undefined;
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const fReject = cold('-|'); // this yagna records rejections
      const d = note('d', '0.2', [50, 25]);
      f = note('f', '0.2', [50, 25], { agreementId: 'ag2', reject: fReject });
      // prettier-ignore
      const e1 = hot('  -d-f--f-|', { d, f });
      const expected = '-D--F-G-(s|)';
      //                   f.reject -| (the second f: refused at once, not rejected again)

      expectObservable(e1.pipe(run({ budget: '0.3' }))).toBe(expected, {
        D: 'accepted d 0.2',
        F: 'overBudget f budget 0.2 over 0.2/0.3 rejected',
        G: 'overBudget f budget 0.2 over 0.2/0.3 rejected',
        s: 'summary 0.2 unpaid [ag1,ag2]',
      });
      // refused again when it comes again, but rejected only once
      expectSubscriptions(fReject.subscriptions).toBe('---^!');
    });
    expect(f?.rejectCalls.map((r) => r.rejectionReason)).toEqual(['UNSOLICITED_SERVICE']);
  });
});
