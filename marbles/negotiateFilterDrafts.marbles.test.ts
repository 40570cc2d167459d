import type { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { YagnaGoneError } from '../src/api/errors/YagnaGoneError.js';
import { YagnaNotFoundError } from '../src/api/errors/YagnaNotFoundError.js';
import { YagnaServerError } from '../src/api/errors/YagnaServerError.js';
import type { OperatorEvent } from '../src/operators/events.js';
import { filterDrafts } from '../src/operators/filterDrafts.js';
import type { NegotiatedDraft } from '../src/operators/lease.js';
import { negotiate } from '../src/operators/negotiate.js';
import {
  type FakeDraftProposal,
  type FakeOfferProposal,
  fakeDraftProposal,
  fakeOfferProposal,
} from '../src/testing/fakes.js';

type Offer = FakeOfferProposal;
type Out = NegotiatedDraft<FakeDraftProposal, Offer>;

/** An offer whose counter-proposal is answered by `respond`. */
const offer = (id: string, respond: Observable<unknown>): Offer =>
  fakeOfferProposal({ id, respond: respond as Observable<FakeDraftProposal> });

describe('negotiate, then filterDrafts', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('with filterDrafts after it, a dropped draft whose reject answers 404 or 410 counts as rejected', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      // the demand was unsubscribed first (404), the draft was already rejected (410), yagna failed (500)
      const rejectA = cold('-#', undefined, new YagnaNotFoundError('Demand [d] not found.', { status: 404 }));
      const rejectB = cold('-#', undefined, new YagnaGoneError('Proposal rejected', { status: 410 }));
      const rejectC = cold('-#', undefined, new YagnaServerError('internal error', { status: 500 }));
      const ra = cold(' -A|', { A: fakeDraftProposal({ id: 'A', reject: rejectA }) });
      const rb = cold(' -B|', { B: fakeDraftProposal({ id: 'B', reject: rejectB }) });
      const rc = cold(' -C|', { C: fakeDraftProposal({ id: 'C', reject: rejectC }) });
      // prettier-ignore
      const e1 = hot('  -(abc)----|', { a: offer('a', ra), b: offer('b', rb), c: offer('c', rc) });
      //                  r: -A|   then filterDrafts drops the draft and rejects it: -#
      const expected = '----------|';

      const dropAll = filterDrafts<Out>(() => false, { onEvent: (e) => events.push(e) });
      expectObservable(e1.pipe(negotiate(3), dropAll)).toBe(expected);
      for (const reject of [rejectA, rejectB, rejectC])
        expectSubscriptions(reject.subscriptions).toBe('--^!');
    });
    expect(
      events.map((e) =>
        e.type === 'draftDropped'
          ? `dropped:${e.draft.id}`
          : e.type === 'cleanupFailed'
            ? `${e.action}:${e.resourceId}`
            : e.type,
      ),
    ).toEqual(['dropped:A', 'dropped:B', 'dropped:C', 'rejectDraft:C']);
  });
});
