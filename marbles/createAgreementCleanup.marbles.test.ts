import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { YagnaGoneError } from '../src/api/errors/YagnaGoneError.js';
import { YagnaNotFoundError } from '../src/api/errors/YagnaNotFoundError.js';
import { YagnaServerError } from '../src/api/errors/YagnaServerError.js';
import { createAgreement } from '../src/operators/createAgreement.js';
import type { OperatorEvent } from '../src/operators/events.js';
import { type NegotiatedDraft, createLease } from '../src/operators/lease.js';
import {
  type FakeAgreement,
  type FakeDraftProposal,
  fakeAgreement,
  fakeDraftProposal,
  fakeOfferProposal,
} from '../src/testing/fakes.js';

type Draft = FakeDraftProposal<FakeAgreement>;

/** yagna's answers to a cleanup call: 404 (unknown, e.g. its demand unsubscribed first), 410 (final), 500. */
const notFound = new YagnaNotFoundError('Demand [d1] not found.', { status: 404 });
const gone = new YagnaGoneError('Agreement [A] is not cancellable', { status: 410 });
const serverError = new YagnaServerError('internal error', { status: 500 });

describe('createAgreement: cleanup of what is already gone', () => {
  let testScheduler: TestScheduler;
  /** [draft id, frame] of every lease release. */
  let released: Array<[string, number]>;
  /** The leased draft `negotiate` would emit for `draft`, recording when its lease is released. */
  const leased = (draft: Draft): NegotiatedDraft<Draft> => ({
    draft,
    offer: fakeOfferProposal({ id: `offer-${draft.id}` }),
    score: 1,
    lease: createLease(() => released.push([draft.id, testScheduler.now()])),
  });

  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    released = [];
  });

  /** The action of each `cleanupFailed` event, with the status of its error; other types as is. */
  const summary = (events: OperatorEvent[]) =>
    events.map((e) =>
      e.type === 'cleanupFailed' ? `${e.action}:${(e.error as { status?: number }).status}` : e.type,
    );

  it('on unsubscribe, counts a reject and a cancel answered 404 (the demand unsubscribed first) as done', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const cancel = cold('-#', undefined, notFound);
      const terminate = cold('-|');
      const A = fakeAgreement({
        id: 'A',
        confirm: cold('-|'),
        waitForApproval: cold('-----|'),
        cancel,
        terminate,
      });
      const rejectB = cold('-#', undefined, notFound);
      const a = fakeDraftProposal({ id: 'a', createAgreement: cold('-A|', { A }) });
      const b = fakeDraftProposal({ id: 'b', reject: rejectB });
      // prettier-ignore
      const e1 = hot('  -ab------|', { a: leased(a), b: leased(b) });
      const unsub = '   ----!';

      expectObservable(e1.pipe(createAgreement({ onEvent: (e) => events.push(e) })), unsub).toBe('-----');
      expectSubscriptions(cancel.subscriptions).toBe('----^!');
      expectSubscriptions(terminate.subscriptions).toBe([]); // a 404 on cancel: nothing to terminate
      expectSubscriptions(rejectB.subscriptions).toBe('----^!');
    });
    expect(events).toEqual([]);
    expect(released.map(([id, frame]) => `${id}@${frame}`).sort()).toEqual(['a@4', 'b@4']);
  });

  it('follows a cancel answered 410 with a terminate (it may be approved), whose 404 or 410 is done', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const cancelA = cold('-#', undefined, gone);
      const terminateA = cold('-|'); // approved meanwhile: terminated
      const cancelB = cold('-#', undefined, gone);
      const terminateB = cold('-#', undefined, gone); // rejected or expired meanwhile: final
      const cancelC = cold('-#', undefined, gone);
      const terminateC = cold('-#', undefined, notFound);
      const agreement = (id: string, cancel: typeof cancelA, terminate: typeof cancelA) =>
        fakeAgreement({ id, confirm: cold('-|'), waitForApproval: cold('-'), cancel, terminate });
      const [A, B, C] = [
        agreement('A', cancelA, terminateA),
        agreement('B', cancelB, terminateB),
        agreement('C', cancelC, terminateC),
      ];
      const draft = (id: string, X: FakeAgreement) =>
        fakeDraftProposal({ id, createAgreement: cold('-X|', { X }) });
      // prettier-ignore
      const e1 = hot('  -(abc)|', { a: leased(draft('a', A)), b: leased(draft('b', B)), c: leased(draft('c', C)) });
      //                 ca: -A|   confirm: -|   wait: ---- (timeout 4)   cancel: -#   terminate: -| or -#
      const expected = '---------|';

      expectObservable(
        e1.pipe(createAgreement({ concurrency: 3, approvalTimeout: 4, onEvent: (e) => events.push(e) })),
      ).toBe(expected);
      for (const cancel of [cancelA, cancelB, cancelC])
        expectSubscriptions(cancel.subscriptions).toBe('-------^!');
      for (const terminate of [terminateA, terminateB, terminateC])
        expectSubscriptions(terminate.subscriptions).toBe('--------^!');
    });
    expect(summary(events)).toEqual(['agreementFailed', 'agreementFailed', 'agreementFailed']);
    expect(released.map(([id, frame]) => `${id}@${frame}`)).toEqual(['a@9', 'b@9', 'c@9']);
  });

  it('reports a terminate that fails after a cancel answered 410, and not the cancel', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable }) => {
      const A = fakeAgreement({
        id: 'A',
        confirm: cold('-|'),
        waitForApproval: cold('-'),
        cancel: cold('-#', undefined, gone),
        terminate: cold('-#', undefined, serverError),
      });
      const a = fakeDraftProposal({ id: 'a', createAgreement: cold('-A|', { A }) });
      // prettier-ignore
      const e1 = hot('  -a|', { a: leased(a) });
      expectObservable(e1.pipe(createAgreement({ approvalTimeout: 4, onEvent: (e) => events.push(e) }))).toBe(
        '---------|',
      );
    });
    expect(summary(events)).toEqual(['agreementFailed', 'terminateAgreement:500']);
  });

  it('after a cancel that failed otherwise, reports a terminate answered 410: yagna says so of a pending agreement too', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const terminateA = cold('-#', undefined, gone);
      const terminateB = cold('-#', undefined, notFound);
      const agreement = (id: string, terminate: typeof terminateA) =>
        fakeAgreement({
          id,
          confirm: cold('-|'),
          waitForApproval: cold('-'),
          cancel: cold('-#', undefined, serverError),
          terminate,
        });
      const a = fakeDraftProposal({
        id: 'a',
        createAgreement: cold('-A|', { A: agreement('A', terminateA) }),
      });
      const b = fakeDraftProposal({
        id: 'b',
        createAgreement: cold('-B|', { B: agreement('B', terminateB) }),
      });
      // prettier-ignore
      const e1 = hot('  -(ab)|', { a: leased(a), b: leased(b) });
      expectObservable(
        e1.pipe(createAgreement({ concurrency: 2, approvalTimeout: 4, onEvent: (e) => events.push(e) })),
      ).toBe('---------|');
      expectSubscriptions(terminateA.subscriptions).toBe('--------^!');
      expectSubscriptions(terminateB.subscriptions).toBe('--------^!');
    });
    // A: both failures reported; B: the agreement is unknown (404), so the cleanup is done
    expect(summary(events)).toEqual([
      'agreementFailed',
      'agreementFailed',
      'cancelAgreement:500',
      'terminateAgreement:410',
    ]);
  });
});
