import { type Observable, filter, map, take, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { createActivity } from '../src/operators/createActivity.js';
import { createAgreement } from '../src/operators/createAgreement.js';
import { filterDrafts } from '../src/operators/filterDrafts.js';
import { negotiate } from '../src/operators/negotiate.js';
import { score } from '../src/operators/score.js';
import {
  type FakeAgreement,
  type FakeDraftProposal,
  type FakeOfferProposal,
  fakeActivity,
  fakeAgreement,
  fakeDraftProposal,
  fakeOfferProposal,
} from '../src/testing/fakes.js';

type Draft = FakeDraftProposal<FakeAgreement>;
type Offer = FakeOfferProposal<Draft>;

const offer = (id: string, price: number, respond: Observable<Draft>): Offer =>
  fakeOfferProposal({ id, price, respond });
const byPrice = (p: Offer): number => p.price.toNumber();

describe('the spending pipeline', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('score → negotiate(2) → createAgreement → createActivity → take(1): signs exactly one agreement, then cleans up', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const Z = fakeActivity({ id: 'Z', agreement: fakeAgreement({ id: 'X' }), deployAndStart: cold('-|') });
      const zCreate = cold('-z|', { z: Z });
      const X = fakeAgreement({
        id: 'X',
        confirm: cold('-|'),
        waitForApproval: cold('--|'),
        createActivity: zCreate,
      });
      const cB = cold('-X|', { X });
      const cC = cold('-Y|', { Y: fakeAgreement({ id: 'Y' }) });
      const rejectC = cold('-|');
      const rb = cold('--B|', { B: fakeDraftProposal({ id: 'B', createAgreement: cB }) });
      const rc = cold('----C|', { C: fakeDraftProposal({ id: 'C', createAgreement: cC, reject: rejectC }) });
      const ra = cold('----A|', { A: fakeDraftProposal({ id: 'A' }) });
      const offers = { a: offer('a', 1, ra), b: offer('b', 3, rb), c: offer('c', 2, rc) };
      // prettier-ignore
      const e1 = hot('  -a-b-c--------', offers);
      const e1subs = '  ^------------!';
      //                     | score releases b, c, a best-first; b and c are countered
      //                     rb: --B|    B signed:  cB: -X|  confirm: -|  wait: --|   → X at 11
      //                     rc: ----C|  C waits in createAgreement, holding its lease
      //                               at 11 X goes to createActivity, which takes over its slot:
      //                               C is not signed and a is not countered
      //                               X: createActivity: -z|  deployAndStart: -|   → Z at 13
      const expected = '-------------(Z|)';

      const result = e1.pipe(
        score(byPrice, { minProposals: 3 }),
        negotiate(2),
        createAgreement(),
        createActivity(),
        take(1),
      );
      expectObservable(result).toBe(expected, { Z });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(rb.subscriptions).toBe('-----^-!');
      expectSubscriptions(rc.subscriptions).toBe('-----^---!');
      expectSubscriptions(ra.subscriptions).toBe([]); // no slot ever freed
      expectSubscriptions(cB.subscriptions).toBe('-------^!');
      expectSubscriptions(zCreate.subscriptions).toBe('-----------^!');
      expectSubscriptions(cC.subscriptions).toBe([]); // one agreement for one activity
      expectSubscriptions(rejectC.subscriptions).toBe('-------------^!'); // C is not left dangling
    });
  });

  it('score → filter → negotiate(4) → tap → take(2) → createAgreement: exactly 2, never more than 4 counters', () => {
    const seen: string[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const agreement = (id: string) =>
        fakeAgreement({ id, confirm: cold('-|'), waitForApproval: cold('-|') });
      const X = agreement('X');
      const Y = agreement('Y');
      const draft = (id: string, A: FakeAgreement) =>
        fakeDraftProposal({ id, createAgreement: cold('-A|', { A }) });
      const r = {
        a: cold('--A|', { A: draft('A', X) }),
        b: cold('---B|', { B: draft('B', Y) }),
        c: cold('-----C|', { C: draft('C', X) }),
        d: cold('--D|', { D: draft('D', X) }),
        e: cold('------E|', { E: draft('E', X) }),
        f: cold('--F|', { F: draft('F', X) }),
      };
      const prices = { a: 6, b: 5, c: 4, d: 0, e: 3, f: 2 };
      const offers = Object.fromEntries(
        Object.entries(r).map(([k, r$]) => [k, offer(k, prices[k as keyof typeof r], r$)]),
      );
      // prettier-ignore
      const e1 = hot('  -(abcdef)----|', offers);
      const e1subs = '  ^---!';
      //                 a, b, c and e countered at once (d filtered out, f waits for a slot)
      //                   A signed: -X|  confirm: -|  wait: -|   → X at 6
      //                    B (take completes, aborting c and e) signed after A → Y at 9
      const expected = '------X--(Y|)';

      const result = e1.pipe(
        score(byPrice),
        filter((s) => s.score > 0),
        negotiate(4),
        tap((x) => seen.push(x.draft.id)),
        take(2),
        createAgreement(),
      );
      expectObservable(result).toBe(expected, { X, Y });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(r.a.subscriptions).toBe('-^-!');
      expectSubscriptions(r.b.subscriptions).toBe('-^--!');
      expectSubscriptions(r.c.subscriptions).toBe('-^--!');
      expectSubscriptions(r.e.subscriptions).toBe('-^--!');
      expectSubscriptions(r.d.subscriptions).toBe([]);
      expectSubscriptions(r.f.subscriptions).toBe([]);
    });
    expect(seen).toEqual(['A', 'B']);
  });

  it('filterDrafts between negotiate and createAgreement frees the slot of a dropped draft and rejects it', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const X = fakeAgreement({ id: 'X', confirm: cold('-|'), waitForApproval: cold('-|') });
      const rejectA = cold('-|');
      const ra = cold('--A|', { A: fakeDraftProposal({ id: 'A', reject: rejectA }) });
      const rb = cold('--B|', { B: fakeDraftProposal({ id: 'B', createAgreement: cold('-X|', { X }) }) });
      // prettier-ignore
      const e1 = hot('  -(ab)-----|', { a: offer('a', 2, ra), b: offer('b', 1, rb) });
      const e1subs = '  ^---------!';
      const expected = '--------X-|';

      const result = e1.pipe(
        score(byPrice),
        negotiate(1),
        filterDrafts((x) => x.draft.id !== 'A'),
        createAgreement(),
      );
      expectObservable(result).toBe(expected, { X });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(ra.subscriptions).toBe('-^-!');
      expectSubscriptions(rejectA.subscriptions).toBe('---^!');
      expectSubscriptions(rb.subscriptions).toBe('---^-!');
    });
  });

  it('a plain filter there keeps the bound but not the slot: use filterDrafts', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const ra = cold('--A|', { A: fakeDraftProposal({ id: 'A' }) });
      const rb = cold('--B|', { B: fakeDraftProposal({ id: 'B' }) });
      // prettier-ignore
      const e1 = hot('  -(ab)--------', { a: offer('a', 2, ra), b: offer('b', 1, rb) });
      const unsub = '   ^-----------!';

      const result = e1.pipe(
        score(byPrice),
        negotiate(1),
        filter((x) => x.draft.id !== 'A'),
        createAgreement(),
        map((agreement) => agreement.id),
      );
      expectObservable(result, unsub).toBe('-------------');
      expectSubscriptions(ra.subscriptions).toBe('-^-!');
      expectSubscriptions(rb.subscriptions).toBe([]); // A's lease was never released
    });
  });
  it('stops negotiate before releasing the leases it held, so unsubscribing starts no new counter', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const X = fakeAgreement({ id: 'X', confirm: cold('-|'), waitForApproval: cold('-|') });
      const rejectB = cold('-|');
      const rejectC = cold('-|');
      const ra = cold('-A|', { A: fakeDraftProposal({ id: 'A', createAgreement: cold('-X|', { X }) }) });
      const rb = cold('-B|', { B: fakeDraftProposal({ id: 'B', reject: rejectB }) });
      const rc = cold('-C|', { C: fakeDraftProposal({ id: 'C', reject: rejectC }) });
      const rd = cold('-D|', { D: fakeDraftProposal({ id: 'D' }) });
      const offers = {
        a: offer('a', 4, ra),
        b: offer('b', 3, rb),
        c: offer('c', 2, rc),
        d: offer('d', 1, rd),
      };
      // prettier-ignore
      const e1 = hot('  -(abcd)-------', offers);
      const e1subs = '  ^----!';
      //                 a, b, c countered; d waits in the heap
      //                  A signed: -X|  confirm: -|  wait: -|   → X at 5; B and C wait in createAgreement
      const expected = '-----(X|)';

      const result = e1.pipe(score(byPrice), negotiate(3), createAgreement(), take(1));
      expectObservable(result).toBe(expected, { X });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(rd.subscriptions).toBe([]); // B's and C's leases were released into a stopped negotiate
      expectSubscriptions(rejectB.subscriptions).toBe('-----^!');
      expectSubscriptions(rejectC.subscriptions).toBe('-----^!');
    });
  });
});
