import { Observable, mergeMap, of, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { ScoringError } from '../src/operators/errors/ScoringError.js';
import type { OperatorEvent } from '../src/operators/events.js';
import { score } from '../src/operators/score.js';
import { type FakeOfferProposal, fakeOfferProposal } from '../src/testing/fakes.js';

/** Offers a..f, each with a price; the tests score them by their `price`. */
const offer = (id: string, price: number, expiresAt?: number): FakeOfferProposal =>
  fakeOfferProposal({ id, price, ...(expiresAt === undefined ? {} : { expiresAt }) });
const a = offer('a', 1);
const b = offer('b', 3);
const c = offer('c', 2);
const d = offer('d', -1);
const e = offer('e', 5);
const offers = { a, b, c, d, e };
const byPrice = (p: FakeOfferProposal): number => p.price.toNumber();
/** The marble values of the result: `x` is offer x with its score. */
const scored = Object.fromEntries(
  Object.entries(offers).map(([k, p]) => [k, { proposal: p, score: byPrice(p) }]),
);

describe('score', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('holds back until minProposals are kept, releases them best-first, then passes the rest as scored', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 = hot('  -a-b-c-d---e--|', offers);
      const e1subs = '  ^-------------!';
      const expected = '-----(bca)-e--|'; // d scores -1: dropped

      expectObservable(e1.pipe(score(byPrice, { minProposals: 3 }))).toBe(expected, scored);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('passes proposals through as scored without minProposals, dropping null and negative scores', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 = hot('  -a-d-e-|', offers);
      const e1subs = '  ^------!';
      const expected = '-a---e-|';

      const scorer = (p: FakeOfferProposal) => (p === e ? 5 : p === a ? 1 : null);
      expectObservable(e1.pipe(score(scorer, { onEvent: (ev) => events.push(ev) }))).toBe(expected, scored);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
    expect(events).toEqual([{ type: 'proposalDropped', proposal: d, reason: 'score' }]);
  });

  it('scores concurrently with Observable scorers, at most `concurrency` at once', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const sa = cold('---(s|)', { s: 1 });
      const sb = cold('-(s|)', { s: 3 });
      const sc = cold('--(s|)', { s: 2 });
      const scorers = new Map([
        [a, sa],
        [b, sb],
        [c, sc],
      ]);
      // prettier-ignore
      const e1 = hot('  -(abc)---------|', offers);
      const e1subs = '  ^--------------!';
      //                 sa: ---(s|)
      //                        sb: -(s|)
      //                         sc: --(s|)
      const expected = '-------(bca)---|';
      const saSubs = '  -^--!';
      const sbSubs = '  ----^!';
      const scSubs = '  -----^-!';

      const result = e1.pipe(score((p) => scorers.get(p)!, { concurrency: 1, minProposals: 3 }));
      expectObservable(result).toBe(expected, scored);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(sa.subscriptions).toBe(saSubs);
      expectSubscriptions(sb.subscriptions).toBe(sbSubs);
      expectSubscriptions(sc.subscriptions).toBe(scSubs);
    });
  });

  it('stops waiting for minProposals after maxWait', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 = hot('  -a-b----------c|', offers);
      const e1subs = '  ^--------------!';
      const expected = '------(ba)----c|';

      expectObservable(e1.pipe(score(byPrice, { minProposals: 5, maxWait: 6 }))).toBe(expected, scored);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('releases what it holds when the source completes before minProposals', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 = hot('  -a-b-|', offers);
      const e1subs = '  ^----!';
      const expected = '-----(ba|)';

      expectObservable(e1.pipe(score(byPrice, { minProposals: 5 }))).toBe(expected, scored);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('drops proposals that expired on arrival or while held back', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const early = offer('x', 9, 3); // expires at frame 3, while held back until frame 5
      const late = offer('y', 9, 2); // already expired when it arrives at frame 3
      // prettier-ignore
      const e1 = hot('  -x-yb--|', { x: early, y: late, b });
      const e1subs = '  ^------!';
      const expected = '-----b-|';

      const result = e1.pipe(
        score(byPrice, { minProposals: 3, maxWait: 5, onEvent: (ev) => events.push(ev) }),
      );
      expectObservable(result).toBe(expected, scored);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
    expect(events.map((ev) => ev.type === 'proposalDropped' && [ev.proposal.id, ev.reason])).toEqual([
      ['y', 'expired'],
      ['x', 'expired'],
    ]);
  });

  it('sends what a synchronous scorer throws to the error channel as a ScoringError', () => {
    const boom = new Error('boom');
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 = hot('  -a-b-c-|', offers);
      const e1subs = '  ^--!';
      const expected = '-a-#';

      const scorer = (p: FakeOfferProposal): number => {
        if (p === b) throw boom;
        return byPrice(p);
      };
      const error = new ScoringError({ proposalId: 'b', providerId: 'provider-b' }, { cause: boom });
      expectObservable(e1.pipe(score(scorer))).toBe(expected, scored, error);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('sends an async scorer error to the error channel and cancels the other scorings', () => {
    const boom = new Error('boom');
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const sa = cold('----(s|)', { s: 1 });
      const sb = cold<number>('--#', undefined, boom);
      // prettier-ignore
      const e1 = hot('  -ab----|', offers);
      const e1subs = '  ^---!';
      const expected = '----#';
      const saSubs = '  -^--!';
      const sbSubs = '  --^-!';

      const result = e1.pipe(score((p) => (p === a ? sa : sb)));
      const error = new ScoringError({ proposalId: 'b', providerId: 'provider-b' }, { cause: boom });
      expectObservable(result).toBe(expected, undefined, error);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(sa.subscriptions).toBe(saSubs);
      expectSubscriptions(sb.subscriptions).toBe(sbSubs);
    });
  });

  it('passes the source error on at once, even while holding back', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 = hot('  -a-b-#', offers);
      const e1subs = '  ^----!';
      const expected = '-----#';

      expectObservable(e1.pipe(score(byPrice, { minProposals: 3 }))).toBe(expected, scored);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('completes with an empty source and never completes with a never source', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const empty = cold<FakeOfferProposal>('|');
      const never = cold<FakeOfferProposal>('-');
      expectObservable(empty.pipe(score(byPrice, { minProposals: 2 }))).toBe('|');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
      expectObservable(never.pipe(score(byPrice, { minProposals: 2, maxWait: 3 })), '^-----!').toBe('------');
      expectSubscriptions(never.subscriptions).toBe('^-----!');
    });
  });

  it('cancels scorings in flight and the maxWait timer on early unsubscribe', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const sa = cold('-----(s|)', { s: 1 });
      // prettier-ignore
      const e1 = hot('  -a-----b-|', offers);
      const unsub = '   ---!';
      const e1subs = '  ^--!';
      const expected = '----';
      const saSubs = '  -^-!';

      expectObservable(e1.pipe(score(() => sa, { minProposals: 1, maxWait: 2 })), unsub).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(sa.subscriptions).toBe(saSubs);
    });
  });

  it('does not break unsubscription chains when the result is unsubscribed explicitly', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const sa = cold('-----(s|)', { s: 1 });
      // prettier-ignore
      const e1 = hot('  -a-----b-|', offers);
      const unsub = '   ---!';
      const e1subs = '  ^--!';
      const saSubs = '  -^-!';

      const result = e1.pipe(
        mergeMap((x) => of(x)),
        score(() => sa),
        mergeMap((x) => of(x)),
      );
      expectObservable(result, unsub).toBe('----');
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(sa.subscriptions).toBe(saSubs);
    });
  });

  it('releases a large hold-back best-first, equal scores in arrival order', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 50; // many ties
    const many = Array.from({ length: 300 }, (_, i) => offer(`p${i}`, random()));
    const got: Array<[number, number]> = [];
    of(...many)
      .pipe(score(byPrice, { minProposals: many.length }))
      .subscribe({
        next: (s) => got.push([s.score, many.indexOf(s.proposal)]),
        error: (err: unknown) => expect.fail(String(err)),
      });
    const expected = many
      .map((p, i): [number, number] => [byPrice(p), i])
      .sort((x, y) => y[0] - x[0] || x[1] - y[1]);
    expect(got).toEqual(expected);
  });

  it('stops a synchronous firehose once take is satisfied', () => {
    const sideEffects: number[] = [];
    const firehose = new Observable<FakeOfferProposal>((subscriber) => {
      for (let i = 0; !subscriber.closed && i < 100; i++) {
        sideEffects.push(i);
        subscriber.next(offer(`p${i}`, i));
      }
    });
    const ids: string[] = [];
    firehose
      .pipe(score(byPrice, { minProposals: 3 }), take(2))
      .subscribe({ next: (s) => ids.push(s.proposal.id), error: (err: unknown) => expect.fail(String(err)) });
    expect(sideEffects).toEqual([0, 1, 2]);
    expect(ids).toEqual(['p2', 'p1']);
  });
});
