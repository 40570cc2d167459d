import { delay, filter, take, tap } from 'rxjs';
import { type RunHelpers, TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { createActivity } from '../src/operators/createActivity.js';
import { createAgreement } from '../src/operators/createAgreement.js';
import type { OperatorEvent } from '../src/operators/events.js';
import { negotiate } from '../src/operators/negotiate.js';
import { score } from '../src/operators/score.js';
import {
  type FakeActivity,
  type FakeAgreement,
  type FakeDraftProposal,
  type FakeOfferProposal,
  fakeActivity,
  fakeAgreement,
  fakeDraftProposal,
  fakeOfferProposal,
} from '../src/testing/fakes.js';

// The demand signal at each position of the spending chain (docs/design.md, "How many agreements
// each shape signs"): a slot of negotiate(n) and of createAgreement stays taken until what it
// produced has been consumed, so take(n) right after createAgreement() or after createActivity()
// signs exactly n agreements.

type Cold = RunHelpers['cold'];
/** A cold Observable with its subscription log. */
type Recorded = ReturnType<Cold>;
type Offer = FakeOfferProposal<FakeDraftProposal<FakeAgreement<FakeActivity>>>;

interface Provider {
  readonly offer: Offer;
  readonly respond: Recorded;
  readonly sign: Recorded;
  readonly reject: Recorded;
  readonly cancel: Recorded;
  readonly terminate: Recorded;
  readonly activity: FakeActivity;
  readonly agreement: FakeAgreement<FakeActivity>;
}

/** One provider's whole chain: offer → draft (respond) → agreement (sign, approve) → activity. */
function provider(
  cold: Cold,
  name: string,
  price: number,
  timing: { respond?: string; approve?: string; offerId?: string } = {},
): Provider {
  const providerId = `p-${name}`;
  const cancel = cold('-|');
  const terminate = cold('-|');
  const agreement: FakeAgreement<FakeActivity> = fakeAgreement<FakeActivity>({
    id: name.toUpperCase(),
    providerId,
    confirm: cold('-|'),
    waitForApproval: cold(timing.approve ?? '-|'),
    cancel,
    terminate,
    createActivity: () => cold('-a|', { a: activity }),
  });
  const activity = fakeActivity({ id: `act-${name}`, agreement, deployAndStart: cold('-|') });
  const sign = cold('-g|', { g: agreement });
  const reject = cold('-|');
  const draft = fakeDraftProposal<FakeAgreement<FakeActivity>>({
    id: `draft-${name}`,
    providerId,
    createAgreement: sign,
    reject,
  });
  const respond = cold(timing.respond ?? '-d|', { d: draft });
  const offer = fakeOfferProposal({ id: timing.offerId ?? `offer-${name}`, providerId, price, respond });
  return { offer, respond, sign, reject, cancel, terminate, activity, agreement };
}

const cheapest = (offer: Offer): number => 10 - offer.price.toNumber();

describe('the demand signal', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('take(2) right after createAgreement(): exactly 2 agreements, the drafts left over rejected', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const [a, b, c, d, e] = (['a', 'b', 'c', 'd', 'e'] as const).map((n, i) => provider(cold, n, i + 1));
      // prettier-ignore
      const e1 = hot('  -(abcde)-----', { a: a!.offer, b: b!.offer, c: c!.offer, d: d!.offer, e: e!.offer });
      //                  a..d countered (-d|); drafts at 2, signed one at a time:
      //                  A: sign -g|  confirm -|  approve -|  → A at 5, then B → B at 8
      const expected = '-----A--(B|)';
      const result = e1.pipe(score(cheapest), negotiate(4), createAgreement(), take(2));
      expectObservable(result).toBe(expected, { A: a!.agreement, B: b!.agreement });
      expectSubscriptions(a!.sign.subscriptions).toBe('--^!');
      expectSubscriptions(b!.sign.subscriptions).toBe('-----^!');
      expectSubscriptions(c!.sign.subscriptions).toBe([]);
      expectSubscriptions(d!.sign.subscriptions).toBe([]);
      // A consumed at 5 frees a slot: e is countered; its draft (6) waits; all left are rejected
      expectSubscriptions(e!.respond.subscriptions).toBe('-----^!');
      expectSubscriptions(c!.reject.subscriptions).toBe('--------^!');
      expectSubscriptions(d!.reject.subscriptions).toBe('--------^!');
      expectSubscriptions(e!.reject.subscriptions).toBe('--------^!');
    });
  });

  it('take(1) after createActivity(), with tap and filter between: one agreement for one activity', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const [a, b, c] = (['a', 'b', 'c'] as const).map((n, i) => provider(cold, n, i + 1));
      const seen: string[] = [];
      // prettier-ignore
      const e1 = hot('  -(abc)-------', { a: a!.offer, b: b!.offer, c: c!.offer });
      //                  A signed at 2: -g|  confirm -|  approve -|  → A at 5
      //                  A's activity: -a|  deploy -|               → X at 7
      const expected = '-------(X|)';
      const result = e1.pipe(
        score(cheapest),
        negotiate(3),
        createAgreement(),
        tap((agreement) => seen.push(agreement.id)),
        filter(() => true),
        createActivity(),
        take(1),
      );
      expectObservable(result).toBe(expected, { X: a!.activity });
      expectSubscriptions(a!.sign.subscriptions).toBe('--^!');
      expectSubscriptions(b!.sign.subscriptions).toBe([]); // not signed while A's activity starts
      expectSubscriptions(c!.sign.subscriptions).toBe([]);
      expectSubscriptions(b!.reject.subscriptions).toBe('-------^!');
      expectSubscriptions(c!.reject.subscriptions).toBe('-------^!');
      expectSubscriptions(a!.terminate.subscriptions).toBe([]); // A is the consumer's now
    });
  });

  it('createAgreement({ concurrency: 2 }) signs ahead: at most n + 1 approved, the extra one terminated', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const a = provider(cold, 'a', 1);
      const b = provider(cold, 'b', 2, { approve: '---|' });
      // prettier-ignore
      const e1 = hot('  -(ab)--------', { a: a.offer, b: b.offer });
      //                  A and B signed at 2 at once; A approved at 5, B at 7
      //                  A's activity: -a|  deploy -| → X at 7, when B has just been approved
      const expected = '-------(X|)';
      const result = e1.pipe(
        score(cheapest),
        negotiate(2),
        createAgreement({ concurrency: 2 }),
        createActivity(),
        take(1),
      );
      expectObservable(result).toBe(expected, { X: a.activity });
      expectSubscriptions(a.sign.subscriptions).toBe('--^!');
      expectSubscriptions(b.sign.subscriptions).toBe('--^!');
      // B was approved (7) and handed to createActivity, which is then unsubscribed: terminated
      expectSubscriptions(b.terminate.subscriptions).toBe('-------^!');
    });
  });

  it('an asynchronous operator between the stages loses the hand-off: the slot frees on emission', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const a = provider(cold, 'a', 1);
      const b = provider(cold, 'b', 2);
      // prettier-ignore
      const e1 = hot('  -(ab)--------', { a: a.offer, b: b.offer });
      //                  A at 5, delayed to 6; B signed at 5 (A's slot freed on emission), B at 8
      const expected = '--------(X|)';
      const result = e1.pipe(
        score(cheapest),
        negotiate(2),
        createAgreement(),
        delay(1),
        createActivity(),
        take(1),
      );
      expectObservable(result).toBe(expected, { X: a.activity });
      expectSubscriptions(b.sign.subscriptions).toBe('-----^!');
      // B was approved and emitted at 8 but is still in `delay` when take completes: nobody
      // holds it any more, so it is the consumer's to terminate (the node's close() does)
      expectSubscriptions(b.terminate.subscriptions).toBe([]);
    });
  });

  it('one provider, one draft: its other offers wait while it is countered, and are dropped after', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const a1 = provider(cold, 'a', 1, { respond: '--d|', offerId: 'a1' });
      const a2 = provider(cold, 'a', 2, { offerId: 'a2' });
      const b = provider(cold, 'b', 3);
      // prettier-ignore
      const e1 = hot('  -(xyz)------', { x: a1.offer, y: a2.offer, z: b.offer });
      //                  x (a1) and z (b) countered; y (a2) waits for a1's outcome, then is dropped
      const expected = '-----A--(B|)';
      const result = e1.pipe(
        score(cheapest),
        negotiate(2, { onEvent: (event) => events.push(event) }),
        createAgreement(),
        take(2),
      );
      expectObservable(result).toBe(expected, { A: b.agreement, B: a1.agreement });
      expectSubscriptions(a1.respond.subscriptions).toBe('-^-!');
      expectSubscriptions(a2.respond.subscriptions).toBe([]);
      expectSubscriptions(b.respond.subscriptions).toBe('-^!');
    });
    expect(events).toEqual([
      { type: 'proposalDropped', proposal: expect.objectContaining({ id: 'a2' }), reason: 'provider' },
    ]);
  });

  it('a provider whose counter failed may be countered again through its other offer', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const a1 = provider(cold, 'a', 1, { respond: '-#', offerId: 'a1' });
      const a2 = provider(cold, 'a', 2, { offerId: 'a2' });
      // prettier-ignore
      const e1 = hot('  -(xy)------', { x: a1.offer, y: a2.offer });
      const expected = '------(A|)';
      const result = e1.pipe(
        score(cheapest),
        negotiate(2, { onEvent: (event) => events.push(event) }),
        createAgreement(),
        take(1),
      );
      expectObservable(result).toBe(expected, { A: a2.agreement });
      expectSubscriptions(a1.respond.subscriptions).toBe('-^!');
      expectSubscriptions(a2.respond.subscriptions).toBe('--^!');
    });
    expect(events.map((e) => e.type)).toEqual(['counterFailed']);
  });

  it('distinctProviders: false counters every offer of one provider on its own', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const a1 = provider(cold, 'a', 1, { offerId: 'a1' });
      const a2 = provider(cold, 'a', 2, { offerId: 'a2' });
      // prettier-ignore
      const e1 = hot('  -(xy)------', { x: a1.offer, y: a2.offer });
      const expected = '-----A--(B|)';
      const result = e1.pipe(
        score(cheapest),
        negotiate(2, { distinctProviders: false }),
        createAgreement(),
        take(2),
      );
      expectObservable(result).toBe(expected, { A: a1.agreement, B: a2.agreement });
      expectSubscriptions(a1.respond.subscriptions).toBe('-^!');
      expectSubscriptions(a2.respond.subscriptions).toBe('-^!');
    });
  });
  it('holds one offer per provider while waiting: a re-issued offer replaces the older one', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const b = provider(cold, 'b', 1, { respond: '---d|' });
      const a1 = provider(cold, 'a', 2, { offerId: 'a1' });
      const a2 = provider(cold, 'a', 2, { offerId: 'a2' });
      // prettier-ignore
      const e1 = hot('  -x-y-z-------', { x: b.offer, y: a1.offer, z: a2.offer });
      //                  x (b) takes the only slot; a1 waits, a2 replaces it (same score, newer)
      //                  b's draft at 4 is signed (A at 7, consumed): then a2 is countered
      const expected = '-------B---(A|)';
      const result = e1.pipe(
        score(cheapest),
        negotiate(1, { onEvent: (event) => events.push(event) }),
        createAgreement(),
        take(2),
      );
      expectObservable(result).toBe(expected, { A: a2.agreement, B: b.agreement });
      expectSubscriptions(a1.respond.subscriptions).toBe([]);
      expectSubscriptions(a2.respond.subscriptions).toBe('-------^!');
    });
    expect(events).toEqual([
      { type: 'proposalDropped', proposal: expect.objectContaining({ id: 'a1' }), reason: 'provider' },
    ]);
  });
});
