import { Decimal } from 'decimal.js';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { acceptPayments } from '../../src/operators/acceptPayments.js';
import { negotiate } from '../../src/operators/negotiate.js';
import {
  fakeDebitNote,
  fakeDraftProposal,
  fakeInvoice,
  fakeOffer,
  offerProperties,
} from '../../src/testing/index.js';

describe('fakeDebitNote and fakeInvoice', () => {
  it('drive acceptPayments as in docs/testing.md', () => {
    const allocation = { id: 'allocation' };
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const accept = cold('-|');
      const terms = {
        properties: offerProperties({ price: { start: '0.1', durationSec: '0.001' } }),
        approvedAt: -60_000,
      };
      const d = fakeDebitNote({
        id: 'd',
        agreementId: 'ag',
        activityId: 'act',
        amount: '0.15',
        usage: [50, 0],
        terms,
        accept,
      });
      expectObservable(
        hot('-d|', { d }).pipe(
          acceptPayments({ allocation, budget: '1' }),
          map((e) => e.kind),
        ),
      ).toBe('--(as|)', { a: 'accepted', s: 'summary' });
      expectSubscriptions(accept.subscriptions).toBe('-^!');
    });
  });

  it('carry their fields and record accept calls', () => {
    const i = fakeInvoice({ id: 'i', agreementId: 'ag', activityIds: ['a1'], amount: 2 });
    expect(i).toMatchObject({ kind: 'Invoice', id: 'i', agreementId: 'ag', activityIds: ['a1'] });
    expect(i.amount).toEqual(new Decimal(2));
    expect('activityId' in i).toBe(false);
    let done = false;
    i.accept('alloc', new Decimal(2)).subscribe({ complete: () => (done = true) });
    expect(done).toBe(true);
    expect(i.acceptCalls).toEqual([{ allocation: 'alloc', amount: new Decimal(2) }]);
    const d = fakeDebitNote({ id: 'd', agreementId: 'ag', activityId: 'x', amount: '0.1' });
    expect(d).toMatchObject({ kind: 'DebitNote', activityId: 'x' });
    let terms: unknown;
    d.agreementTerms().subscribe((t) => (terms = t));
    expect(terms).toEqual({ properties: {} });
  });
});

describe('the fakes example of docs/testing.md', () => {
  it('counters with a fakeOffer', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const respond = cold('--d|', { d: fakeDraftProposal({ id: 'd1' }) });
      const a = fakeOffer({ id: 'a', price: { cpuSec: '0.0001' }, respond });
      const e1 = hot('-a--|', { a });
      expectObservable(
        e1.pipe(
          negotiate(1),
          map((x) => x.draft.id),
        ),
      ).toBe('---x|', { x: 'd1' });
      expectSubscriptions(respond.subscriptions).toBe('-^-!');
    });
  });
});
