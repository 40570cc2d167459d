import { Decimal } from 'decimal.js';
import { NEVER, EMPTY, Observable, map, of, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { type PaymentEvent, acceptPayments } from '../src/operators/acceptPayments.js';
import { type FakePayable, fakeDebitNote, fakeInvoice } from '../src/testing/payments.js';
import { offerProperties } from '../src/testing/offers.js';

// Prices: 0.1 to start, 0.001 per second of duration, 0.002 per CPU second; 2 threads.
// Usage vector [duration_sec, cpu_sec]. Approved 100 s before virtual time 0.
const OFFER = offerProperties({ price: { start: '0.1', durationSec: '0.001', cpuSec: '0.002' }, threads: 2 });
const terms = { properties: OFFER, approvedAt: -100_000 };
const ALLOCATION = { id: 'allocation-1' };
type Doc = FakePayable<typeof ALLOCATION>;

const note = (
  id: string,
  amount: string,
  usage: number[] | undefined,
  extra: Partial<Parameters<typeof fakeDebitNote>[0]> = {},
): Doc =>
  fakeDebitNote<typeof ALLOCATION>({
    id,
    agreementId: 'ag1',
    activityId: 'act1',
    amount,
    terms,
    ...(usage ? { usage } : {}),
    ...extra,
  });
const invoice = (id: string, amount: string, extra: Partial<Parameters<typeof fakeInvoice>[0]> = {}): Doc =>
  fakeInvoice<typeof ALLOCATION>({ id, agreementId: 'ag1', activityIds: ['act1'], amount, terms, ...extra });

/** One line per event, so that marble values read as a ledger. */
const view = (e: PaymentEvent<typeof ALLOCATION>): string => {
  switch (e.kind) {
    case 'accepted':
      return `accepted ${e.document.id} ${e.amount.toString()} spent ${e.spent.toString()}`;
    case 'overPrice':
      return `overPrice ${e.document.id} ${e.reason} ${e.limit?.toString() ?? '-'}${e.rejection === 'notAttempted' ? '' : ` ${e.rejection}`}`;
    case 'skipped':
      return `skipped ${e.document.id} ${e.reason}`;
    case 'overBudget':
      return `overBudget ${e.document.id} ${e.amount.toString()} spent ${e.spent.toString()}/${e.budget.toString()}`;
    case 'failed':
      return `failed ${e.document.id} ${(e.error as Error).message}`;
    case 'summary':
      return `summary ${e.spent.toString()} unpaid [${e.unpaid.join(',')}]`;
  }
};
const config = { allocation: ALLOCATION, budget: '10', clockSkew: 0 };
const run =
  (c: Partial<Parameters<typeof acceptPayments<typeof ALLOCATION>>[0]> = {}) =>
  (source: Observable<Doc>) =>
    source.pipe(acceptPayments({ ...config, ...c }), map(view));

describe('acceptPayments', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('accepts debit notes and the invoice, charging the delta, skips what comes after the invoice (the TSDoc diagram)', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const dAccept = cold('-|');
      const eAccept = cold('-|');
      const iUsage = cold('-(u|)', { u: [100, 100] }); // 0.1 + 0.1 + 0.2
      const iAccept = cold('-|');
      const fAccept = cold('-|');
      const d = note('d', '0.2', [50, 25], { accept: dAccept }); // 0.1 + 0.05 + 0.05
      const e = note('e', '0.3', [80, 60], { accept: eAccept }); // 0.1 + 0.08 + 0.12
      const i = invoice('i', '0.4', { accept: iAccept, activityUsage: () => iUsage });
      const f = note('f', '0.35', [90, 65], { accept: fAccept });
      // prettier-ignore
      const e1 = hot('  -d-e-----i--f-|', { d, e, i, f });
      const e1subs = '  ^-------------!';
      const expected = '--D-E------IF-(s|)';
      //                 d.accept -|, e.accept -|, i.activityUsage -(u|) then i.accept -|

      expectObservable(e1.pipe(run())).toBe(expected, {
        D: 'accepted d 0.2 spent 0.2',
        E: 'accepted e 0.1 spent 0.3',
        I: 'accepted i 0.1 spent 0.4',
        F: 'skipped f invoiced',
        s: 'summary 0.4 unpaid []',
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(dAccept.subscriptions).toBe('-^!');
      expectSubscriptions(eAccept.subscriptions).toBe('---^!');
      expectSubscriptions(iUsage.subscriptions).toBe('---------^!');
      expectSubscriptions(iAccept.subscriptions).toBe('----------^!');
      expectSubscriptions(fAccept.subscriptions).toBe([]);
    });
  });

  it('accepts for the full amount due against the allocation', () => {
    const d = note('d', '0.2', [50, 25]);
    testScheduler.run(({ expectObservable }) => {
      expectObservable(of(d).pipe(run())).toBe('(as|)', {
        a: 'accepted d 0.2 spent 0.2',
        s: 'summary 0.2 unpaid [ag1]',
      });
    });
    expect(d.acceptCalls).toEqual([{ allocation: ALLOCATION, amount: new Decimal('0.2') }]);
  });

  it('processes the documents of one agreement one at a time, other agreements concurrently', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const dAccept = cold('---|');
      const eAccept = cold('---|');
      const fAccept = cold('---|');
      const d = note('d', '0.2', [50, 25], { accept: dAccept });
      const e = note('e', '0.3', [80, 60], { accept: eAccept });
      const f = note('f', '0.2', [50, 25], { agreementId: 'ag2', accept: fAccept });
      // prettier-ignore
      const e1 = hot('  -de-f-------|', { d, e, f });
      const expected = '----D--(FE)-(s|)';

      expectObservable(e1.pipe(run())).toBe(expected, {
        D: 'accepted d 0.2 spent 0.2',
        E: 'accepted e 0.1 spent 0.5',
        F: 'accepted f 0.2 spent 0.4',
        s: 'summary 0.5 unpaid [ag1,ag2]',
      });
      expectSubscriptions(dAccept.subscriptions).toBe('-^--!');
      expectSubscriptions(eAccept.subscriptions).toBe('----^--!'); // after d
      expectSubscriptions(fAccept.subscriptions).toBe('----^--!'); // alongside
    });
  });

  it('with concurrency 1, one agreement at a time', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const dAccept = cold('---|');
      const fAccept = cold('---|');
      const d = note('d', '0.2', [50, 25], { accept: dAccept });
      const f = note('f', '0.2', [50, 25], { agreementId: 'ag2', accept: fAccept });
      // prettier-ignore
      const e1 = hot('  -df------|', { d, f });
      const expected = '----D--F-(s|)';

      expectObservable(e1.pipe(run({ concurrency: 1 }))).toBe(expected, {
        D: 'accepted d 0.2 spent 0.2',
        F: 'accepted f 0.2 spent 0.4',
        s: 'summary 0.4 unpaid [ag1,ag2]',
      });
      expectSubscriptions(fAccept.subscriptions).toBe('----^--!');
    });
  });

  it('refuses what is over the price, over the usage the time allows, or unverifiable', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const accept = cold('-|');
      const p = note('p', '0.21', [50, 25], { accept }); // 0.2 × 1.01 = 0.202 < 0.21
      const u = note('u', '0.2', [150, 25], { accept }); // 150 s of duration in 100 s
      const v = note('v', '0.2', [50, 25], {
        agreementId: 'ag2',
        terms: { properties: {}, approvedAt: 0 },
        accept,
      });
      const w = note('w', '0.7', undefined, { accept });
      // prettier-ignore
      const e1 = hot('  -p-u-v-w-|', { p, u, v, w });
      const expected = '-P-U-V-W-(s|)';

      expectObservable(e1.pipe(run())).toBe(expected, {
        P: 'overPrice p price 0.202',
        U: 'overPrice u usage 0.60601515', // (0.1 + 100.003 × 0.001 + 200.006 × 0.002) × 1.01
        V: 'overPrice v unverifiable -',
        W: 'overPrice w price 0.60603535', // no counters: (0.1 + 100.007 × 0.001 + 200.014 × 0.002) × 1.01
        s: 'summary 0 unpaid [ag1,ag2]',
      });
      expectSubscriptions(accept.subscriptions).toBe([]);
    });
  });

  it('bounds a debit note without counters by the price of the time since approval (unreportedUsage)', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const w = note('w', '0.6', undefined); // limit at frame 2: 0.1 + 100.002 × 0.001 + 200.004 × 0.002
      // prettier-ignore
      const e1 = hot('  --w|', { w });
      expectObservable(e1.pipe(run({ grace: 0 }))).toBe('--a(s|)', {
        a: 'accepted w 0.6 spent 0.6',
        s: 'summary 0.6 unpaid [ag1]',
      });
    });
  });

  it('refuses an invoice above the price of the usage reported, with an absolute grace', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const d = note('d', '0.2', [50, 25]);
      const i = invoice('i', '0.21'); // no activity usage: d's counters, 0.2 (+ 0.005)
      const j = invoice('j', '0.205');
      // prettier-ignore
      const e1 = hot('  -(dij)|', { d, i, j });
      expectObservable(e1.pipe(run({ grace: { ratio: 0, amount: '0.005' } }))).toBe('-(DIJ)(s|)', {
        D: 'accepted d 0.2 spent 0.2',
        I: 'overPrice i price 0.205',
        J: 'accepted j 0.005 spent 0.205',
        s: 'summary 0.205 unpaid []',
      });
    });
  });

  it('refuses what would go over the budget, counting accepts in flight', () => {
    testScheduler.run(({ hot, cold, expectObservable }) => {
      const d = note('d', '0.2', [50, 25], { accept: cold('--|') });
      const f = note('f', '0.2', [50, 25], { agreementId: 'ag2' }); // while d is in flight
      const e = note('e', '0.3', [80, 60]); // delta 0.1 after d
      const i = invoice('i', '0.33', { activityUsage: { act1: [90, 70] } }); // delta 0.03 over 0.3
      // prettier-ignore
      const e1 = hot('  -df--e-i-|', { d, f, e, i });
      const expected = '--FD-e-I-(s|)';

      expectObservable(e1.pipe(run({ budget: '0.3' }))).toBe(expected, {
        F: 'overBudget f 0.2 spent 0.2/0.3',
        D: 'accepted d 0.2 spent 0.2',
        e: 'accepted e 0.1 spent 0.3',
        I: 'overBudget i 0.03 spent 0.3/0.3',
        s: 'summary 0.3 unpaid [ag1,ag2]',
      });
    });
  });

  it('never accepts a document twice; a refused or failed one is checked again', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const dAccept = cold('-|');
      const fAccept = cold('-#', undefined, new Error('yagna says no'));
      const d = note('d', '0.2', [50, 25], { accept: dAccept });
      const f = note('f', '0.3', [80, 60], { accept: fAccept });
      // prettier-ignore
      const e1 = hot('  -dd-d-f-f-|', { d, f });
      const expected = '--D----F-G(s|)';

      expectObservable(e1.pipe(run())).toBe(expected, {
        D: 'accepted d 0.2 spent 0.2',
        F: 'failed f yagna says no',
        G: 'failed f yagna says no',
        s: 'summary 0.2 unpaid [ag1]',
      });
      expectSubscriptions(dAccept.subscriptions).toBe('-^!');
      expectSubscriptions(fAccept.subscriptions).toBe(['------^!', '--------^!']);
    });
  });

  it('reads the terms once per agreement; a failure to read them is a failed event', () => {
    let reads = 0;
    testScheduler.run(({ hot, cold, expectObservable }) => {
      const readTerms = () => (reads++, cold('--(t|)', { t: terms }));
      const d = note('d', '0.2', [50, 25], { terms: readTerms });
      const e = note('e', '0.3', [80, 60], { terms: readTerms });
      const x = note('x', '0.2', [50, 25], {
        agreementId: 'ag2',
        terms: cold('-#', undefined, new Error('gone')),
      });
      const y = note('y', '0.2', [50, 25], { agreementId: 'ag3', terms: EMPTY });
      // prettier-ignore
      const e1 = hot('  -de---x-y--|', { d, e, x, y });
      const expected = '---(DE)XY--(s|)';
      //                 terms --(t|) once, for d; e finds them cached

      expectObservable(e1.pipe(run())).toBe(expected, {
        D: 'accepted d 0.2 spent 0.2',
        E: 'accepted e 0.1 spent 0.3',
        X: 'failed x gone',
        Y: 'failed y The terms of agreement ag3 (billed by y) could not be read',
        s: 'summary 0.3 unpaid [ag1,ag2,ag3]',
      });
    });
    expect(reads).toBe(1);
  });

  it('fails with the source, aborting the accept in flight', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const accept = cold('----|');
      // prettier-ignore
      const e1 = hot('  -d-#', { d: note('d', '0.2', [50, 25], { accept }) });
      const expected = '---#';

      expectObservable(e1.pipe(run())).toBe(expected);
      expectSubscriptions(accept.subscriptions).toBe('-^-!');
    });
  });

  it('summarizes an empty source at once, and waits forever on a never source', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(EMPTY.pipe(run())).toBe('(s|)', { s: 'summary 0 unpaid []' });
      const e1 = cold<Doc>('-');
      expectObservable(e1.pipe(run()), '^---!').toBe('-');
      expectSubscriptions(e1.subscriptions).toBe('^---!');
      expectObservable(NEVER.pipe(run())).toBe('-');
    });
  });

  it('aborts the accept in flight on an early unsubscribe, and through an unsubscription chain', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const accept = cold('----|');
      // prettier-ignore
      const e1 = hot('  -d----|', { d: note('d', '0.2', [50, 25], { accept }) });
      const e1subs = '  ^--!';
      const unsub = '   ---!';
      const result = e1.pipe(
        map((x) => x),
        run(),
        map((x) => x),
      );

      expectObservable(result, unsub).toBe('---');
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(accept.subscriptions).toBe('-^-!');
    });
  });

  it('stops a synchronous firehose with take', () => {
    let pulled = 0;
    const firehose = new Observable<Doc>((subscriber) => {
      for (let i = 1; i <= 1000 && !subscriber.closed; i++) {
        pulled++;
        subscriber.next(note(`d${i}`, String(i / 1000), undefined, { terms: { properties: OFFER } }));
      }
      subscriber.complete();
    });
    testScheduler.run(({ expectObservable }) => {
      // no approval time and no counters: unverifiable, refused synchronously
      expectObservable(firehose.pipe(run(), take(3))).toBe('(abc|)', {
        a: 'overPrice d1 unverifiable -',
        b: 'overPrice d2 unverifiable -',
        c: 'overPrice d3 unverifiable -',
      });
    });
    expect(pulled).toBe(3);
  });

  it('refuses a debit note whose counters do not fit the usage vector', () => {
    testScheduler.run(({ expectObservable }) => {
      expectObservable(of(note('d', '0.1', [1, 2, 3])).pipe(run())).toBe('(as|)', {
        a: 'overPrice d usage -',
        s: 'summary 0 unpaid [ag1]',
      });
    });
  });

  it('validates its configuration', () => {
    expect(() => acceptPayments({ allocation: ALLOCATION, budget: '-1' })).toThrow(RangeError);
    expect(() => acceptPayments({ allocation: ALLOCATION, budget: 1, grace: -0.1 })).toThrow(RangeError);
    expect(() => acceptPayments({ allocation: ALLOCATION, budget: 1, concurrency: 0 })).toThrow(RangeError);
    // @ts-expect-error: not an option
    expect(() => acceptPayments({ allocation: ALLOCATION, budget: 1, unreportedUsage: 'x' })).toThrow(
      RangeError,
    );
  });
});
