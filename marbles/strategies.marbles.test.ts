import { Observable, Subject, map, of, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { AgreementNotApprovedError } from '../src/errors/AgreementNotApprovedError.js';
import { ScoringError } from '../src/operators/errors/ScoringError.js';
import type { OperatorEvent } from '../src/operators/events.js';
import { negotiate } from '../src/operators/negotiate.js';
import { score } from '../src/operators/score.js';
import {
  leastExpensiveLinearPayu,
  notApprovedProviders,
  penalizeProviders,
  penalizeUnconfirmed,
} from '../src/strategies/index.js';
import { fakeDraftProposal } from '../src/testing/fakes.js';
import { type FakeOfferInit, fakeOffer } from '../src/testing/offers.js';

const offer = (id: string, providerId: string, extra: Partial<FakeOfferInit> = {}) =>
  fakeOffer({ id, providerId, ...extra });
const a = offer('a', 'x');
const b = offer('b', 'x');
const c = offer('c', 'y');
const offers = { a, b, c };
const one = () => 1;
/** Marble values: `A` is offer a scored 1, `H` is a proposal scored 0.5. */
const view = map(
  ({ proposal, score: s }: { proposal: { id: string }; score: number }) => `${proposal.id}:${s}`,
);

describe('penalizeUnconfirmed', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('lowers the score of providers that did not approve, until they approve again', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 = hot('  -a--b-c--a-|', offers);
      const e1subs = '  ^----------!';
      const no = hot('  --x--------', { x: 'x' });
      const nosubs = '  ^----------!';
      const yes = hot(' -------x---', { x: 'x' });
      const expected = '-A--B-C--A-|';

      const result = e1.pipe(penalizeUnconfirmed(one, 0.5, { notApproved$: no, approved$: yes }), view);
      expectObservable(result).toBe(expected, { A: 'a:1', B: 'b:0.5', C: 'c:1' });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(no.subscriptions).toBe(nosubs);
      expectSubscriptions(yes.subscriptions).toBe(nosubs);
    });
  });

  it('keeps its memory per subscription: a second subscription starts clean', () => {
    testScheduler.run(({ hot, cold, expectObservable }) => {
      const no = hot('-x-----', { x: 'x' });
      const strategy = penalizeUnconfirmed(one, 0.5, { notApproved$: no });
      // prettier-ignore
      const e1 = cold('--a|', offers);
      expectObservable(e1.pipe(strategy, view)).toBe('--A|', { A: 'a:0.5' });
      expectObservable(e1.pipe(strategy, view), '^--!').toBe('--A', { A: 'a:0.5' });
      // subscribed at frame 3, after x was signalled: it never heard of x
      expectObservable(e1.pipe(strategy, view), '---^').toBe('-----A|', { A: 'a:1' });
    });
  });

  it('passes options to score (minProposals) and works with async scorers', () => {
    testScheduler.run(({ hot, cold, expectObservable }) => {
      const no = cold('x', { x: 'x' });
      // prettier-ignore
      const e1 = hot('  -a-c------|', offers);
      const expected = '----(CA)--|';
      const asyncScorer = () => cold('-(s|)', { s: 1 });

      const result = e1.pipe(
        penalizeUnconfirmed(asyncScorer, 0.25, { notApproved$: no, minProposals: 2 }),
        view,
      );
      expectObservable(result).toBe(expected, { A: 'a:0.25', C: 'c:1' });
    });
  });

  it('errors with ScoringError when the scorer throws, and with the signal stream', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 = hot('  -a--|', offers);
      const e1subs = '  ^!';
      const boom = () => {
        throw new Error('boom');
      };
      expectObservable(e1.pipe(penalizeUnconfirmed(boom, 0.5, { notApproved$: hot('-') }))).toBe(
        '-#',
        undefined,
        new ScoringError({ proposalId: 'a', providerId: 'x' }, { cause: new Error('boom') }),
      );
      expectSubscriptions(e1.subscriptions).toBe(e1subs);

      const e2 = hot('  -a--|', offers);
      const e2subs = '  ^-!';
      const no = hot('  --#', undefined, new Error('bus down'));
      expectObservable(e2.pipe(penalizeUnconfirmed(one, 0.5, { notApproved$: no }), view)).toBe(
        '-A#',
        { A: 'a:1' },
        new Error('bus down'),
      );
      expectSubscriptions(e2.subscriptions).toBe(e2subs);
    });
  });

  it('forwards source errors; empty and never sources; early unsubscribe of everything', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const no = hot('---', { x: 'x' });
      const opts = { notApproved$: no };
      expectObservable(cold<typeof a>('-#').pipe(penalizeUnconfirmed(one, 0.5, opts))).toBe('-#');
      expectObservable(cold<typeof a>('|').pipe(penalizeUnconfirmed(one, 0.5, opts))).toBe('|');
      const never = cold<typeof a>('-');
      expectObservable(never.pipe(penalizeUnconfirmed(one, 0.5, opts)), '^--!').toBe('-');
      expectSubscriptions(never.subscriptions).toBe('^--!');
      expectSubscriptions(no.subscriptions).toBe(['^!', '(^!)', '^--!']);
    });
  });

  it('stops a synchronous firehose with take', () => {
    let pulled = 0;
    const firehose = new Observable<typeof a>((subscriber) => {
      for (let i = 0; i < 1000 && !subscriber.closed; i++) {
        pulled++;
        subscriber.next(a);
      }
      subscriber.complete();
    });
    testScheduler.run(({ expectObservable }) => {
      expectObservable(
        firehose.pipe(penalizeUnconfirmed(one, 0.5, { notApproved$: of('x') }), take(2), view),
      ).toBe('(AA|)', { A: 'a:0.5' });
    });
    expect(pulled).toBe(2);
  });

  it('feeds on createAgreement events through notApprovedProviders (not on our own cancellations)', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const draft = fakeDraftProposal({ id: 'd', providerId: 'x' });
      const failed = (outcome: 'Rejected' | 'Cancelled' | 'Timeout'): OperatorEvent => ({
        type: 'agreementFailed',
        draft,
        agreement: undefined,
        error: new AgreementNotApprovedError({ agreementId: 'ag', providerId: 'x', outcome }),
      });
      const other: OperatorEvent = {
        type: 'agreementFailed',
        draft,
        agreement: undefined,
        error: new Error('net'),
      };
      const events = hot('-r-c-t-o-', {
        r: failed('Rejected'),
        c: failed('Cancelled'),
        t: failed('Timeout'),
        o: other,
      });
      expectObservable(notApprovedProviders(events)).toBe('-x---x---', { x: 'x' });
    });
  });

  it('penalizeProviders validates the factor', () => {
    expect(() => penalizeProviders(one, -1, () => true)).toThrow(RangeError);
    expect(() => penalizeUnconfirmed(one, Number.NaN, { notApproved$: new Subject<string>() })).toThrow(
      RangeError,
    );
  });
});

describe('strategies in the pipeline', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('leastExpensiveLinearPayu makes negotiate counter the cheapest first', () => {
    testScheduler.run(({ hot, cold, expectObservable }) => {
      const draft = (id: string) => cold('-(d|)', { d: fakeDraftProposal({ id }) });
      const dear = offer('dear', 'p1', { price: { cpuSec: '0.0003' }, respond: draft('D') });
      const cheap = offer('cheap', 'p2', { price: { cpuSec: '0.0001' }, respond: draft('C') });
      const mid = offer('mid', 'p3', { price: { cpuSec: '0.0002' }, respond: draft('M') });
      const bad = offer('bad', 'p4', { properties: { 'golem.com.scheme': 'fixed' } });
      // prettier-ignore
      const e1 = hot('  -(dcmb)|', { d: dear, c: cheap, m: mid, b: bad });
      const expected = '--C(M|)';

      const drafts = e1.pipe(
        score(leastExpensiveLinearPayu(), { minProposals: 3 }),
        negotiate(1),
        map(({ draft: d, lease }) => (lease.release(), d.id)),
        take(2),
      );
      expectObservable(drafts).toBe(expected, { C: 'C', M: 'M' });
    });
  });
});
