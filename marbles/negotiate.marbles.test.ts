import {
  type Observable,
  Observable as RxObservable,
  concat,
  ignoreElements,
  map,
  mergeMap,
  of,
  take,
  tap,
  timer,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { CounterProposalError } from '../src/operators/errors/CounterProposalError.js';
import { isEmptyResponseError } from '../src/errors/EmptyResponseError.js';
import {
  ProposalRejectedError,
  isProposalRejectedError,
} from '../src/resources/errors/ProposalRejectedError.js';
import type { OperatorEvent } from '../src/operators/events.js';
import type { NegotiatedDraft } from '../src/operators/lease.js';
import { negotiate } from '../src/operators/negotiate.js';
import type { Scored } from '../src/operators/score.js';
import {
  type FakeDraftProposal,
  type FakeOfferProposal,
  fakeDraftProposal,
  fakeOfferProposal,
} from '../src/testing/fakes.js';

type Offer = FakeOfferProposal;
type Out = NegotiatedDraft<FakeDraftProposal, Offer>;

/** The provider's drafts: offer x answers with draft X. */
const drafts = Object.fromEntries(
  ['A', 'B', 'C', 'D', 'E', 'X'].map((id) => [id, fakeDraftProposal({ id })]),
);
/** An offer whose counter-proposal is answered by `respond`. */
const offer = (id: string, respond: Observable<unknown>, expiresAt?: number): Offer =>
  fakeOfferProposal({
    id,
    respond: respond as Observable<FakeDraftProposal>,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  });
const scored = (proposal: Offer, score: number): Scored<Offer> => ({ proposal, score });

/** The consumer that never releases: the ids of the drafts. */
const ids = map((x: Out) => x.draft.id);
/** The consumer that releases each lease as soon as it gets the draft. */
const releaseNow = (source: Observable<Out>) =>
  source.pipe(
    tap((x) => x.lease.release()),
    map((x) => x.draft.id),
  );
/** The slow consumer: emits each draft's id at once, releases its lease `frames` later. */
const holdFor = (frames: number) => (source: Observable<Out>) =>
  source.pipe(
    mergeMap((x) =>
      concat(
        of(x.draft.id),
        timer(frames).pipe(
          tap(() => x.lease.release()),
          ignoreElements(),
        ),
      ),
    ),
  );

describe('negotiate', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('counters the best proposal it holds when a slot frees', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const rx = cold('    ----X|', drafts);
      const ra = cold('            --A|', drafts);
      const rb = cold('        --B|', drafts);
      const rc = cold('          --C|', drafts);
      const [x, a, b, c] = [offer('x', rx), offer('a', ra), offer('b', rb), offer('c', rc)];
      // prettier-ignore
      const e1 = hot('  -x-(abc)------|', { x: scored(x, 9), a: scored(a, 1), b: scored(b, 3), c: scored(c, 2) });
      const e1subs = '  ^-------------!';
      const expected = '-----X-B-C-A--|';
      const rxSubs = '  -^---!';
      const rbSubs = '  -----^-!';
      const rcSubs = '  -------^-!';
      const raSubs = '  ---------^-!';

      expectObservable(e1.pipe(negotiate(1), releaseNow)).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(rx.subscriptions).toBe(rxSubs);
      expectSubscriptions(rb.subscriptions).toBe(rbSubs);
      expectSubscriptions(rc.subscriptions).toBe(rcSubs);
      expectSubscriptions(ra.subscriptions).toBe(raSubs);
    });
  });

  it('keeps negotiating + leased <= n while the consumer is slow', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const ra = cold(' --A|', drafts);
      const rb = cold(' ---B|', drafts);
      const rc = cold('         --C|', drafts);
      const rd = cold('          --D|', drafts);
      const re = cold('                 --E|', drafts);
      const [a, b, c, d, e] = [
        offer('a', ra),
        offer('b', rb),
        offer('c', rc),
        offer('d', rd),
        offer('e', re),
      ];
      const values = { a: scored(a, 5), b: scored(b, 4), c: scored(c, 3), d: scored(d, 2), e: scored(e, 1) };
      // prettier-ignore
      const e1 = hot('  -(abcde)------------|', values);
      const e1subs = '  ^-------------------!';
      //                   A and B held 6 frames each: C starts when A's lease frees, D when B's, E when C's
      const expected = '---AB------CD------E-----|';
      const raSubs = '  -^-!';
      const rbSubs = '  -^--!';
      const rcSubs = '  ---------^-!';
      const rdSubs = '  ----------^-!';
      const reSubs = '  -----------------^-!';

      expectObservable(e1.pipe(negotiate(2), holdFor(6))).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(ra.subscriptions).toBe(raSubs);
      expectSubscriptions(rb.subscriptions).toBe(rbSubs);
      expectSubscriptions(rc.subscriptions).toBe(rcSubs);
      expectSubscriptions(rd.subscriptions).toBe(rdSubs);
      expectSubscriptions(re.subscriptions).toBe(reSubs);
    });
  });

  it('counters nothing without a subscriber, and nothing more while the lease is held', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const ra = cold(' --A|', drafts);
      const rb = cold(' --B|', drafts);
      const rc = cold(' --C|', drafts);
      const [a, b, c] = [offer('a', ra), offer('b', rb), offer('c', rc)];
      // prettier-ignore
      const e1 = hot('  -(ab)--c------', { a, b, c });
      const unsub = '   ^------------!';
      const e1subs = '  ^------------!';
      const expected = '---A----------';
      const raSubs = '  -^-!';

      const unused = e1.pipe(negotiate(3)); // never subscribed: never counters
      expect(unused).toBeDefined();
      expectObservable(e1.pipe(negotiate(1), ids), unsub).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(ra.subscriptions).toBe(raSubs);
      expectSubscriptions(rb.subscriptions).toBe([]);
      expectSubscriptions(rc.subscriptions).toBe([]);
    });
  });

  it('frees the slot of a rejected, failed or empty counter-proposal and reports it', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const rejected = new ProposalRejectedError({ proposalId: 'a', providerId: 'provider-a', reason: 'no' });
      const ra = cold('  --#', drafts, rejected);
      const rb = cold('    --|', drafts);
      const rc = cold('      --C|', drafts);
      const [a, b, c] = [offer('a', ra), offer('b', rb), offer('c', rc)];
      // prettier-ignore
      const e1 = hot('  -(abc)--------|', { a: scored(a, 3), b: scored(b, 2), c: scored(c, 1) });
      const e1subs = '  ^-------------!';
      const expected = '-------C------|';

      expectObservable(e1.pipe(negotiate(1, { onEvent: (ev) => events.push(ev) }), ids)).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(ra.subscriptions).toBe('-^-!');
      expectSubscriptions(rb.subscriptions).toBe('---^-!');
      expectSubscriptions(rc.subscriptions).toBe('-----^-!');
    });
    expect(events.map((ev) => ev.type === 'counterFailed' && ev.proposal.id)).toEqual(['a', 'b']);
    const [first, second] = events.map((ev) => (ev.type === 'counterFailed' ? ev.error : undefined));
    expect(isProposalRejectedError(first) && first.reason).toBe('no');
    expect(isEmptyResponseError(second) && second.operation).toBe('respond');
  });

  it('drops a proposal that expired while it waited for a slot', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const rx = cold('  -----X|', drafts);
      const ra = cold('  --A|', drafts);
      const rb = cold('       --B|', drafts);
      const [x, a, b] = [offer('x', rx), offer('a', ra, 4), offer('b', rb)];
      // prettier-ignore
      const e1 = hot('  -xab------|', { x: scored(x, 1), a: scored(a, 5), b: scored(b, 1) });
      const e1subs = '  ^---------!';
      const expected = '------X-B-|';

      expectObservable(e1.pipe(negotiate(1, { onEvent: (ev) => events.push(ev) }), releaseNow)).toBe(
        expected,
      );
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(rx.subscriptions).toBe('-^----!');
      expectSubscriptions(ra.subscriptions).toBe([]);
      expectSubscriptions(rb.subscriptions).toBe('------^-!');
    });
    expect(events).toEqual([
      { type: 'proposalDropped', proposal: expect.objectContaining({ id: 'a' }), reason: 'expired' },
    ]);
  });

  it('counts a lease released twice once', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const ra = cold('  --A|', drafts);
      const rb = cold('    -----B|', drafts);
      const rc = cold('         --C|', drafts);
      const [a, b, c] = [offer('a', ra), offer('b', rb), offer('c', rc)];
      // prettier-ignore
      const e1 = hot('  -(abc)-------|', { a, b, c });
      const expected = '---A----B-C--|';

      const twice = tap((x: Out) => {
        x.lease.release();
        x.lease.release();
      });
      expectObservable(e1.pipe(negotiate(1), twice, ids)).toBe(expected);
      expectSubscriptions(rb.subscriptions).toBe('---^----!');
      expectSubscriptions(rc.subscriptions).toBe('--------^-!');
    });
  });

  it('counters with what `respond` builds', () => {
    const a = offer('a', of(drafts.A));
    testScheduler.run(({ hot, expectObservable }) => {
      const e1 = hot('-a|', { a: scored(a, 2) });
      const respond = (p: Offer, s: number) => ({ properties: { id: p.id }, constraints: `(score=${s})` });
      expectObservable(e1.pipe(negotiate({ concurrency: 1, respond }), ids)).toBe('-A|');
    });
    expect(a.respondCalls).toEqual([{ properties: { id: 'a' }, constraints: '(score=2)' }]);
  });

  it('sends what `respond` throws to the error channel as a CounterProposalError, aborting counters', () => {
    const boom = new Error('boom');
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const ra = cold(' -----A|', drafts);
      const [a, b] = [offer('a', ra), offer('b', cold('-B|', drafts))];
      // prettier-ignore
      const e1 = hot('  -a-b---|', { a, b });
      const e1subs = '  ^--!';
      const expected = '---#';
      const raSubs = '  -^-!';

      const respond = (p: Offer) => {
        if (p === b) throw boom;
        return undefined;
      };
      const error = new CounterProposalError({ proposalId: 'b', providerId: 'provider-b' }, { cause: boom });
      expectObservable(e1.pipe(negotiate(2, { respond }), ids)).toBe(expected, undefined, error);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(ra.subscriptions).toBe(raSubs);
    });
  });

  it('passes the source error on and aborts the counters in flight', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const ra = cold(' -----A|', drafts);
      // prettier-ignore
      const e1 = hot('  -a--#', { a: offer('a', ra) });
      const e1subs = '  ^---!';
      const expected = '----#';
      const raSubs = '  -^--!';

      expectObservable(e1.pipe(negotiate(2), ids)).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(ra.subscriptions).toBe(raSubs);
    });
  });

  it('completes only after the counters in flight have answered', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const ra = cold(' ----A|', drafts);
      // prettier-ignore
      const e1 = hot('  -a|', { a: offer('a', ra) });
      const e1subs = '  ^-!';
      const expected = '-----(A|)';
      const raSubs = '  -^---!';

      expectObservable(e1.pipe(negotiate(1), ids)).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(ra.subscriptions).toBe(raSubs);
    });
  });

  it('completes with an empty source and never completes with a never source', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const empty = cold<Offer>('|');
      const never = cold<Offer>('-');
      expectObservable(empty.pipe(negotiate(2))).toBe('|');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
      expectObservable(never.pipe(negotiate(2)), '^-----!').toBe('------');
      expectSubscriptions(never.subscriptions).toBe('^-----!');
    });
  });

  it('aborts the counters in flight on early unsubscribe', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const ra = cold(' -----A|', drafts);
      const rb = cold('   -----B|', drafts);
      // prettier-ignore
      const e1 = hot('  -a-b-----|', { a: offer('a', ra), b: offer('b', rb) });
      const unsub = '   ----!';
      const e1subs = '  ^---!';
      const expected = '-----';

      expectObservable(e1.pipe(negotiate(2), ids), unsub).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(ra.subscriptions).toBe('-^--!');
      expectSubscriptions(rb.subscriptions).toBe('---^!');
    });
  });

  it('does not break unsubscription chains when the result is unsubscribed explicitly', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const ra = cold(' -----A|', drafts);
      // prettier-ignore
      const e1 = hot('  -a-------|', { a: offer('a', ra) });
      const unsub = '   ----!';
      const e1subs = '  ^---!';

      const result = e1.pipe(
        mergeMap((x) => of(x)),
        negotiate(2),
        mergeMap((x) => of(x.draft.id)),
      );
      expectObservable(result, unsub).toBe('-----');
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(ra.subscriptions).toBe('-^--!');
    });
  });

  it('take(2) after negotiate(4) gives exactly 2 and never has more than 4 counters in flight', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const r = {
        a: cold('--A|', drafts),
        b: cold('---B|', drafts),
        c: cold('----C|', drafts),
        d: cold('-----D|', drafts),
        e: cold('--E|', drafts),
        f: cold('--E|', drafts),
        g: cold('--E|', drafts),
        h: cold('--E|', drafts),
      };
      const values = Object.fromEntries(Object.entries(r).map(([k, r$]) => [k, offer(k, r$)]));
      // prettier-ignore
      const e1 = hot('  -(abcdefgh)---|', values);
      const e1subs = '  ^---!';
      const expected = '---A(B|)';

      expectObservable(e1.pipe(negotiate(4), take(2), ids)).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(r.a.subscriptions).toBe('-^-!');
      expectSubscriptions(r.b.subscriptions).toBe('-^--!');
      expectSubscriptions(r.c.subscriptions).toBe('-^--!');
      expectSubscriptions(r.d.subscriptions).toBe('-^--!');
      for (const r$ of [r.e, r.f, r.g, r.h]) expectSubscriptions(r$.subscriptions).toBe([]);
    });
  });

  it('stops a synchronous firehose once take is satisfied', () => {
    const sideEffects: number[] = [];
    const firehose = new RxObservable<Offer>((subscriber) => {
      for (let i = 0; !subscriber.closed && i < 100; i++) {
        sideEffects.push(i);
        subscriber.next(offer(`p${i}`, of(fakeDraftProposal({ id: `D${i}` }))));
      }
    });
    const got: string[] = [];
    firehose
      .pipe(negotiate(4), take(2))
      .subscribe({ next: (x) => got.push(x.draft.id), error: (err: unknown) => expect.fail(String(err)) });
    expect(sideEffects).toEqual([0, 1]);
    expect(got).toEqual(['D0', 'D1']);
  });
});
