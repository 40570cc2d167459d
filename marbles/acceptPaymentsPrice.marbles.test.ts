/**
 * acceptPayments' price rule (issue 16, defect 2): an invoice must match the agreed linear prices
 * applied to the usage the provider reported (its debit notes' counters, the activities' usage),
 * within the tolerance (1% by default); above, it is refused as `overPrice` with the limit, and
 * rejected through the port where it can be.
 */
import { type Observable, map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { YagnaNotImplementedError } from '../src/api/errors/YagnaNotImplementedError.js';
import {
  type AcceptPaymentsConfig,
  type PaymentEvent,
  acceptPayments,
} from '../src/operators/acceptPayments.js';
import { offerProperties } from '../src/testing/offers.js';
import { type FakePayable, fakeDebitNote, fakeInvoice } from '../src/testing/payments.js';

// 0.1 to start, 0.001 per second of duration, 0.002 per CPU second, 64 threads; usage
// [duration_sec, cpu_sec]. [50, 25] costs 0.2; [80, 60] costs 0.3. Approved 100 s before time 0.
const PRICE = { start: '0.1', durationSec: '0.001', cpuSec: '0.002' };
const terms = { properties: offerProperties({ price: PRICE, threads: 64 }), approvedAt: -100_000 };
const ALLOCATION = { id: 'allocation-1' };
type Doc = FakePayable<typeof ALLOCATION>;
type NoteInit = Partial<Parameters<typeof fakeDebitNote<typeof ALLOCATION>>[0]>;
type InvoiceInit = Partial<Parameters<typeof fakeInvoice<typeof ALLOCATION>>[0]>;

const note = (id: string, amount: string, usage: number[] | undefined, extra: NoteInit = {}): Doc =>
  fakeDebitNote({
    id,
    agreementId: 'ag1',
    activityId: 'act1',
    amount,
    terms,
    ...(usage ? { usage } : {}),
    ...extra,
  });
const invoice = (id: string, amount: string, extra: InvoiceInit = {}): Doc =>
  fakeInvoice({ id, agreementId: 'ag1', activityIds: ['act1'], amount, terms, ...extra });

const view = (e: PaymentEvent<typeof ALLOCATION>): string => {
  switch (e.kind) {
    case 'accepted':
      return `accepted ${e.document.id} ${e.amount.toString()} limit ${e.limit.toString()}`;
    case 'overPrice':
      return `overPrice ${e.document.id} ${e.reason} ${e.limit?.toString() ?? '-'} ${e.rejection}`;
    case 'failed':
      return `failed ${e.document.id} ${(e.error as Error).message}`;
    case 'summary':
      return `summary ${e.spent.toString()}`;
    default:
      return `${e.kind} ${e.document.id}`;
  }
};
const run =
  (c: Partial<AcceptPaymentsConfig<typeof ALLOCATION>> = {}) =>
  (source: Observable<Doc>) =>
    source.pipe(acceptPayments({ allocation: ALLOCATION, budget: '100', clockSkew: 0, ...c }), map(view));

describe('acceptPayments: the invoice matches the agreed prices of the usage reported', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  // The final usage [80, 60] costs 0.3: the limit is 0.3 × 1.01 = 0.303. The old ceiling (the time
  // since approval with all 64 threads busy) was 0.1 + 0.1 + 12.8 = 13 GLM: 1.05 and 1.5 passed.
  it.each([
    ['1.05', '0.315', 'overPrice i price 0.303 notAttempted'],
    ['1.5', '0.45', 'overPrice i price 0.303 notAttempted'],
    ['100', '30', 'overPrice i price 0.303 notAttempted'],
    ['1 (correct)', '0.3', 'accepted i 0.1 limit 0.303'],
  ])('with debit notes and the activity’s usage, an invoice at factor %s', (_, amount, outcome) => {
    testScheduler.run(({ hot, expectObservable }) => {
      const d = note('d', '0.2', [50, 25]);
      const i = invoice('i', amount, { activityUsage: { act1: [80, 60] } });
      // prettier-ignore
      const e1 = hot('  -d-i-|', { d, i });
      expectObservable(e1.pipe(run())).toBe('-D-I-(s|)', {
        D: 'accepted d 0.2 limit 0.202',
        I: outcome,
        s: `summary ${amount === '0.3' ? '0.3' : '0.2'}`,
      });
    });
  });

  it.each([
    ['1.05', '0.315', 'overPrice i price 0.303 notAttempted'],
    ['1.5', '0.45', 'overPrice i price 0.303 notAttempted'],
    ['100', '30', 'overPrice i price 0.303 notAttempted'],
    ['1 (correct)', '0.3', 'accepted i 0.3 limit 0.303'],
  ])('without debit notes, from the activity’s usage, an invoice at factor %s', (_, amount, outcome) => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const usage = cold('--(u|)', { u: [80, 60] });
      const i = invoice('i', amount, { activityUsage: () => usage });
      // prettier-ignore
      const e1 = hot('  -i----|', { i });
      expectObservable(e1.pipe(run())).toBe('---I--(s|)', {
        I: outcome,
        s: `summary ${amount === '0.3' ? '0.3' : '0'}`,
      });
      expectSubscriptions(usage.subscriptions).toBe('-^-!');
    });
  });

  it('without the activity’s usage, checks the invoice against the last debit note’s counters', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const e = note('e', '0.3', [80, 60]);
      const d = note('d', '0.2', [50, 25]); // older, arrives second: skipped (superseded)
      const i = invoice('i', '0.3');
      const j = invoice('j', '0.31', { agreementId: 'ag2' });
      const f = note('f', '0.3', [80, 60], { agreementId: 'ag2' });
      // prettier-ignore
      const e1 = hot('  -edi-fj-|', { e, d, i, f, j });
      expect(i.activityUsage).toBeUndefined();
      expectObservable(e1.pipe(run())).toBe('-EDI-FJ-(s|)', {
        E: 'accepted e 0.3 limit 0.303',
        D: 'skipped d',
        I: 'accepted i 0 limit 0.303',
        F: 'accepted f 0.3 limit 0.303',
        J: 'overPrice j price 0.303 notAttempted',
        s: 'summary 0.6',
      });
    });
  });

  it('an activity the usage port reports nothing for is checked against its debit notes', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const d = note('d', '0.3', [80, 60]);
      const i = invoice('i', '0.45', { activityUsage: {} });
      // prettier-ignore
      const e1 = hot('  -di-|', { d, i });
      expectObservable(e1.pipe(run())).toBe('-DI-(s|)', {
        D: 'accepted d 0.3 limit 0.303',
        I: 'overPrice i price 0.303 notAttempted',
        s: 'summary 0.3',
      });
    });
  });

  it('charges the start price once per activity, summing the activities of the invoice', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      // act1: [80, 60] → 0.3; act2 (no debit note): [10, 0] → 0.11; total 0.41, limit 0.4141
      const activityUsage = { act1: [80, 60], act2: [10, 0] };
      const i = invoice('i', '0.42', { activityIds: ['act1', 'act2'], activityUsage });
      const j = invoice('j', '0.41', { activityIds: ['act1', 'act2'], activityUsage });
      // prettier-ignore
      const e1 = hot('  -ij|', { i, j });
      expectObservable(e1.pipe(run())).toBe('-IJ(s|)', {
        I: 'overPrice i price 0.4141 notAttempted',
        J: 'accepted j 0.41 limit 0.4141',
        s: 'summary 0.41',
      });
    });
  });

  it('refuses reported usage above what the time since approval allows, or not fitting the vector', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const i = invoice('i', '0.3', { activityUsage: { act1: [150, 60] } }); // 150 s in 100 s
      const j = invoice('j', '0.3', { agreementId: 'ag2', activityUsage: { act1: [80] } });
      // prettier-ignore
      const e1 = hot('  -ij|', { i, j });
      expectObservable(e1.pipe(run())).toBe('-IJ(s|)', {
        I: 'overPrice i usage - notAttempted',
        J: 'overPrice j usage - notAttempted',
        s: 'summary 0',
      });
    });
  });

  it('a failed usage read is a failed event; the invoice is checked again when it comes again', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const accept = cold('-|');
      let reads = 0;
      const i = invoice('i', '0.3', {
        accept,
        activityUsage: () => (reads++ === 0 ? cold('-#', undefined, new Error('yagna down')) : of([80, 60])),
      });
      // prettier-ignore
      const e1 = hot('  -i--i--|', { i });
      expectObservable(e1.pipe(run())).toBe('--F--A-(s|)', {
        F: 'failed i yagna down',
        A: 'accepted i 0.3 limit 0.303',
        s: 'summary 0.3',
      });
      expectSubscriptions(accept.subscriptions).toBe('----^!');
    });
  });

  describe('without any usage reported', () => {
    it('bounds a duration-only price model by the time since approval', () => {
      const durationOnly = {
        properties: offerProperties({ price: { start: '0.1', durationSec: '0.001' } }),
        approvedAt: -100_000,
      };
      testScheduler.run(({ hot, expectObservable }) => {
        // at frame 1: (0.1 + 100.001 × 0.001) × 1.01; at frame 2: (0.1 + 100.002 × 0.001) × 1.01
        const i = invoice('i', '0.2', { terms: durationOnly });
        const j = invoice('j', '0.25', { agreementId: 'ag2', terms: durationOnly });
        // prettier-ignore
        const e1 = hot('  -ij|', { i, j });
        expectObservable(e1.pipe(run())).toBe('-IJ(s|)', {
          I: 'accepted i 0.2 limit 0.20200101',
          J: 'overPrice j price 0.20200202 notAttempted',
          s: 'summary 0.2',
        });
      });
    });

    it('bounds CPU seconds by the threads; without a thread count, unverifiable', () => {
      const noThreads = { ...terms, properties: { ...terms.properties, 'golem.inf.cpu.threads': undefined } };
      testScheduler.run(({ hot, expectObservable }) => {
        // at frame 1: (0.1 + 100.001 × 0.001 + 100.001 × 64 × 0.002) × 1.01; d at frame 3: 100.003 s
        const i = invoice('i', '13');
        const j = invoice('j', '0.2', { agreementId: 'ag2', terms: noThreads });
        const d = note('d', '0.2', undefined, { agreementId: 'ag3' });
        // prettier-ignore
        const e1 = hot('  -ijd|', { i, j, d });
        expectObservable(e1.pipe(run())).toBe('-IJD(s|)', {
          I: 'accepted i 13 limit 13.13013029',
          J: 'overPrice j unverifiable - notAttempted',
          D: 'accepted d 0.2 limit 13.13039087',
          s: 'summary 13.2',
        });
      });
    });

    it('refuses as unverifiable with unreportedUsage: refuse', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const i = invoice('i', '0.2');
        const d = note('d', '0.2', undefined, { agreementId: 'ag3' });
        // prettier-ignore
        const e1 = hot('  -id|', { i, d });
        expectObservable(e1.pipe(run({ unreportedUsage: 'refuse' }))).toBe('-ID(s|)', {
          I: 'overPrice i unverifiable - notAttempted',
          D: 'overPrice d unverifiable - notAttempted',
          s: 'summary 0',
        });
      });
    });

    it('refuses an invoice whose activities are unknown as unverifiable', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const i = fakeInvoice<typeof ALLOCATION>({ id: 'i', agreementId: 'ag1', amount: '0.1', terms });
        // prettier-ignore
        const e1 = hot('  -i|', { i });
        expectObservable(e1.pipe(run())).toBe('-I(s|)', {
          I: 'overPrice i unverifiable - notAttempted',
          s: 'summary 0',
        });
      });
    });

    it('accepts a zero invoice of an agreement without activities', () => {
      testScheduler.run(({ hot, expectObservable }) => {
        const i = invoice('i', '0', { activityIds: [] });
        const j = invoice('j', '0.1', { agreementId: 'ag2', activityIds: [] });
        // prettier-ignore
        const e1 = hot('  -ij|', { i, j });
        expectObservable(e1.pipe(run())).toBe('-IJ(s|)', {
          I: 'accepted i 0 limit 0',
          J: 'overPrice j price 0 notAttempted',
          s: 'summary 0',
        });
      });
    });
  });

  describe('rejection through the port', () => {
    it('rejects an overpriced invoice once it is refused, saying how much and why', () => {
      let i: Doc | undefined;
      testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const reject = cold('--|');
        const d = note('d', '0.2', [50, 25]);
        i = invoice('i', '0.45', { activityUsage: { act1: [80, 60] }, reject });
        // prettier-ignore
        const e1 = hot('  -di---i--|', { d, i });
        const expected = '-D--I-I--(s|)';
        //                  i.reject --|; when i comes again, it is not rejected again

        expectObservable(e1.pipe(run())).toBe(expected, {
          D: 'accepted d 0.2 limit 0.202',
          I: 'overPrice i price 0.303 rejected',
          s: 'summary 0.2',
        });
        expectSubscriptions(reject.subscriptions).toBe('--^-!');
      });
      expect(i?.rejectCalls).toHaveLength(1);
      const [rejection] = i?.rejectCalls ?? [];
      expect(rejection?.rejectionReason).toBe('INCORRECT_AMOUNT');
      expect(rejection?.totalAmountAccepted.toString()).toBe('0.2');
      expect(rejection?.message).toBe(
        'Invoice i bills 0.45 GLM; the agreed prices applied to the usage reported allow at most 0.303 GLM',
      );
    });

    it('records a 501 (as Real yagna answers) as attempted, and another failure as failed (tried again)', () => {
      testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const notImplemented = new YagnaNotImplementedError('reject: 501', { status: 501 });
        const reject501 = cold('-#', undefined, notImplemented);
        const reject500 = cold('-#', undefined, new Error('500'));
        const i = invoice('i', '30', { activityUsage: { act1: [80, 60] }, reject: reject501 });
        const j = note('j', '0.9', [80, 60], { agreementId: 'ag2', reject: reject500 });
        // prettier-ignore
        const e1 = hot('  -i-j--i-j---|', { i, j });
        const expected = '--I-J-K--J--(s|)';

        expectObservable(e1.pipe(run())).toBe(expected, {
          I: 'overPrice i price 0.303 notImplemented',
          J: 'overPrice j price 0.303 failed',
          K: 'overPrice i price 0.303 notImplemented', // not rejected again
          s: 'summary 0',
        });
        expectSubscriptions(reject501.subscriptions).toBe('-^!');
        expectSubscriptions(reject500.subscriptions).toBe(['---^!', '--------^!']);
      });
    });

    it('carries the error of the reject call', () => {
      const notImplemented = new YagnaNotImplementedError('reject: 501', { status: 501 });
      const events: PaymentEvent<typeof ALLOCATION>[] = [];
      testScheduler.run(({ cold }) => {
        const reject = cold('-#', undefined, notImplemented);
        const i = invoice('i', '30', { activityUsage: { act1: [80, 60] }, reject });
        of(i)
          .pipe(acceptPayments({ allocation: ALLOCATION, budget: '100', clockSkew: 0 }))
          .subscribe((e) => events.push(e));
      });
      expect(events.map((e) => e.kind)).toEqual(['overPrice', 'summary']);
      const [refused] = events;
      expect(refused?.kind === 'overPrice' && refused.rejectionError).toBe(notImplemented);
    });

    it('does not reject what it cannot check (unverifiable)', () => {
      testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const reject = cold('-|');
        const i = invoice('i', '0.2', { terms: { properties: {} }, reject });
        // prettier-ignore
        const e1 = hot('  -i|', { i });
        expectObservable(e1.pipe(run())).toBe('-I(s|)', {
          I: 'overPrice i unverifiable - notAttempted',
          s: 'summary 0',
        });
        expectSubscriptions(reject.subscriptions).toBe([]);
      });
    });

    it('aborts the reject call on unsubscribe', () => {
      testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const reject = cold('-----|');
        const i = invoice('i', '30', { activityUsage: { act1: [80, 60] }, reject });
        // prettier-ignore
        const e1 = hot('  -i-----|', { i });
        expectObservable(e1.pipe(run()), '^--!').toBe('---');
        expectSubscriptions(reject.subscriptions).toBe('-^-!');
      });
    });
  });
});
