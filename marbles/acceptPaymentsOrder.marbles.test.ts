/**
 * acceptPayments' order rules (issue 16, defect 1): once an agreement's invoice is taken up,
 * nothing more is paid for it; debit notes are cumulative, never additive; documents out of order
 * never lower nor double-count what was accepted.
 */
import { type Observable, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { type PaymentEvent, acceptPayments } from '../src/operators/acceptPayments.js';
import { offerProperties } from '../src/testing/offers.js';
import { type FakePayable, fakeDebitNote, fakeInvoice } from '../src/testing/payments.js';

// 0.1 to start, 0.001 per second of duration, 0.002 per CPU second; usage [duration_sec, cpu_sec].
// [50, 25] costs 0.2; [80, 60] costs 0.3. Approved 100 s before virtual time 0.
const terms = {
  properties: offerProperties({ price: { start: '0.1', durationSec: '0.001', cpuSec: '0.002' }, threads: 2 }),
  approvedAt: -100_000,
};
const ALLOCATION = { id: 'allocation-1' };
type Doc = FakePayable<typeof ALLOCATION>;
type NoteInit = Partial<Parameters<typeof fakeDebitNote<typeof ALLOCATION>>[0]>;
type InvoiceInit = Partial<Parameters<typeof fakeInvoice<typeof ALLOCATION>>[0]>;

const note = (id: string, amount: string, usage: number[], extra: NoteInit = {}): Doc =>
  fakeDebitNote({ id, agreementId: 'ag1', activityId: 'act1', amount, usage, terms, ...extra });
/** An invoice of ag1 for act1, whose final usage (read through the port) is [80, 60]: 0.3. */
const invoice = (id: string, amount: string, extra: InvoiceInit = {}): Doc =>
  fakeInvoice({
    id,
    agreementId: 'ag1',
    activityIds: ['act1'],
    amount,
    terms,
    activityUsage: { act1: [80, 60] },
    ...extra,
  });

const view = (e: PaymentEvent<typeof ALLOCATION>): string => {
  switch (e.kind) {
    case 'accepted':
      return `accepted ${e.document.id} ${e.amount.toString()} spent ${e.spent.toString()}`;
    case 'skipped':
      return `skipped ${e.document.id} ${e.reason}`;
    case 'overPrice':
      return `overPrice ${e.document.id} ${e.reason} ${e.limit?.toString() ?? '-'}`;
    case 'summary':
      return `summary ${e.spent.toString()} unpaid [${e.unpaid.join(',')}]`;
    default:
      return `${e.kind} ${e.document.id}`;
  }
};
const run = () => (source: Observable<Doc>) =>
  source.pipe(acceptPayments({ allocation: ALLOCATION, budget: '10', clockSkew: 0 }), map(view));

describe('acceptPayments: order rules', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('skips a debit note that arrives after its agreement’s invoice was accepted (never paid twice)', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const dAccept = cold('-|');
      const iAccept = cold('-|');
      const fAccept = cold('-|');
      const d = note('d', '0.2', [50, 25], { accept: dAccept });
      const i = invoice('i', '0.3', { accept: iAccept });
      const f = note('f', '0.3', [80, 60], { accept: fAccept }); // late: issued before i, arrives after
      // prettier-ignore
      const e1 = hot('  -d-i-f-|', { d, i, f });
      const expected = '--D-IF-(s|)';

      expectObservable(e1.pipe(run())).toBe(expected, {
        D: 'accepted d 0.2 spent 0.2',
        I: 'accepted i 0.1 spent 0.3', // what the debit notes did not cover
        F: 'skipped f invoiced',
        s: 'summary 0.3 unpaid []',
      });
      expectSubscriptions(iAccept.subscriptions).toBe('---^!');
      expectSubscriptions(fAccept.subscriptions).toBe([]);
    });
  });

  it('skips a debit note that arrives while the invoice is being accepted', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const iAccept = cold('---|');
      const fAccept = cold('-|');
      const i = invoice('i', '0.3', { accept: iAccept });
      const f = note('f', '0.3', [80, 60], { accept: fAccept });
      // prettier-ignore
      const e1 = hot('  -i-f--------|', { i, f });
      const expected = '----(IF)----(s|)';
      //                 i.accept ---|; f waits behind it, then is skipped

      expectObservable(e1.pipe(run())).toBe(expected, {
        I: 'accepted i 0.3 spent 0.3',
        F: 'skipped f invoiced',
        s: 'summary 0.3 unpaid []',
      });
      expectSubscriptions(iAccept.subscriptions).toBe('-^--!');
      expectSubscriptions(fAccept.subscriptions).toBe([]);
    });
  });

  it('skips a debit note after a refused invoice, and a second invoice once one was accepted', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const i1 = invoice('i1', '0.45'); // 1.5 × 0.3: refused
      const f = note('f', '0.3', [80, 60]);
      const i2 = invoice('i2', '0.3'); // corrected: accepted
      const i3 = invoice('i3', '0.3'); // another one: nothing more is paid
      // prettier-ignore
      const e1 = hot('  -a-f-b-c-|', { a: i1, f, b: i2, c: i3 });
      const expected = '-A-F-B-C-(s|)';

      expectObservable(e1.pipe(run())).toBe(expected, {
        A: 'overPrice i1 price 0.303',
        F: 'skipped f invoiced',
        B: 'accepted i2 0.3 spent 0.3',
        C: 'skipped i3 invoiced',
        s: 'summary 0.3 unpaid []',
      });
    });
  });

  it('skips a debit note below the total accepted for its activity (out of order): never lowers it', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const dAccept = cold('-|');
      const e = note('e', '0.3', [80, 60]);
      const d = note('d', '0.2', [50, 25], { accept: dAccept }); // older, arrives second
      const g = note('g', '0.33', [90, 70]); // 0.1 + 0.09 + 0.14
      const i = invoice('i', '0.33', { activityUsage: { act1: [90, 70] } });
      // prettier-ignore
      const e1 = hot('  -e-d-g-i-|', { e, d, g, i });
      const expected = '-E-D-G-I-(s|)';

      expectObservable(e1.pipe(run())).toBe(expected, {
        E: 'accepted e 0.3 spent 0.3',
        D: 'skipped d superseded',
        G: 'accepted g 0.03 spent 0.33', // over e's 0.3, not over d's 0.2
        I: 'accepted i 0 spent 0.33',
        s: 'summary 0.33 unpaid []',
      });
      expectSubscriptions(dAccept.subscriptions).toBe([]);
    });
  });

  it('accepts a later debit note with the same total (a keep-alive), charging nothing', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const d2Accept = cold('-|');
      const d1 = note('d1', '0.2', [50, 25]);
      const d2 = note('d2', '0.2', [50, 25], { accept: d2Accept });
      // prettier-ignore
      const e1 = hot('  -a-b--|', { a: d1, b: d2 });
      const expected = '-A--B-(s|)';

      expectObservable(e1.pipe(run())).toBe(expected, {
        A: 'accepted d1 0.2 spent 0.2',
        B: 'accepted d2 0 spent 0.2',
        s: 'summary 0.2 unpaid [ag1]',
      });
      expectSubscriptions(d2Accept.subscriptions).toBe('---^!');
    });
  });

  it('charges each activity’s debit notes as deltas, and the invoice over their sum', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const a1 = note('a1', '0.2', [50, 25]);
      const b1 = note('b1', '0.2', [50, 25], { activityId: 'act2' });
      const a2 = note('a2', '0.3', [80, 60]);
      const i = invoice('i', '0.6', {
        activityIds: ['act1', 'act2'],
        activityUsage: { act1: [80, 60], act2: [80, 60] },
      });
      // prettier-ignore
      const e1 = hot('  -abc-i-|', { a: a1, b: b1, c: a2, i });
      const expected = '-abc-i-(s|)';

      expectObservable(e1.pipe(run())).toBe(expected, {
        a: 'accepted a1 0.2 spent 0.2',
        b: 'accepted b1 0.2 spent 0.4',
        c: 'accepted a2 0.1 spent 0.5',
        i: 'accepted i 0.1 spent 0.6', // 0.6 − (0.3 + 0.2)
        s: 'summary 0.6 unpaid []',
      });
    });
  });
});
