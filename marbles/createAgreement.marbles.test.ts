import { Observable, mergeMap, of, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AgreementNotApprovedError,
  isAgreementNotApprovedError,
} from '../src/errors/AgreementNotApprovedError.js';
import { isEmptyResponseError } from '../src/errors/EmptyResponseError.js';
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

describe('createAgreement', () => {
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

  it('creates, confirms and waits for approval, one draft at a time, releasing each lease when done', () => {
    let a!: Draft;
    let b!: Draft;
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const A = fakeAgreement({ id: 'A', confirm: cold('-|'), waitForApproval: cold('--|') });
      const B = fakeAgreement({ id: 'B', confirm: cold('-|'), waitForApproval: cold('--|') });
      const ca = cold('-A|', { A });
      const cb = cold('-B|', { B });
      a = fakeDraftProposal({ id: 'a', createAgreement: ca });
      b = fakeDraftProposal({ id: 'b', createAgreement: cb });
      // prettier-ignore
      const e1 = hot('  -ab---|', { a: leased(a), b: leased(b) });
      const e1subs = '  ^-----!';
      //                 ca: -A|   confirm: -|   wait: --|
      //                                   cb: -B|   confirm: -|   wait: --|
      const expected = '-----A---(B|)';

      expectObservable(e1.pipe(createAgreement({ validFor: 100, approvalTimeout: 50 }))).toBe(expected, {
        A,
        B,
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(ca.subscriptions).toBe('-^!');
      expectSubscriptions(cb.subscriptions).toBe('-----^!');
    });
    expect(released).toEqual([
      ['a', 5],
      ['b', 9],
    ]);
    expect(a.createAgreementCalls).toEqual([{ validTo: 101 }]);
    expect(b.createAgreementCalls).toEqual([{ validTo: 105 }]);
  });

  it('moves on to the next draft after a failure, cancelling the failed agreement first', () => {
    const events: OperatorEvent[] = [];
    const boom = new Error('boom');
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const cancel = cold('-|');
      const A = fakeAgreement({
        id: 'A',
        confirm: cold('-|'),
        waitForApproval: cold('--#', undefined, boom),
        cancel,
      });
      const B = fakeAgreement({ id: 'B', confirm: cold('-|'), waitForApproval: cold('--|') });
      const a = fakeDraftProposal({ id: 'a', createAgreement: cold('-A|', { A }) });
      const b = fakeDraftProposal({ id: 'b', createAgreement: cold('-B|', { B }) });
      // prettier-ignore
      const e1 = hot('  -ab---|', { a: leased(a), b: leased(b) });
      //                 ca: -A|   confirm: -|   wait: --#   cancel: -|
      //                                                 cb: -B|   confirm: -|   wait: --|
      const expected = '----------(B|)';

      expectObservable(e1.pipe(createAgreement({ onEvent: (e) => events.push(e) }))).toBe(expected, { B });
      expectSubscriptions(cancel.subscriptions).toBe('-----^!');
    });
    expect(released).toEqual([
      ['a', 6],
      ['b', 10],
    ]);
    expect(events).toEqual([
      {
        type: 'agreementFailed',
        draft: expect.objectContaining({ id: 'a' }),
        agreement: expect.objectContaining({ id: 'A' }),
        error: boom,
      },
    ]);
  });

  it('does not cancel an agreement the provider rejected', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const rejected = new AgreementNotApprovedError({
        agreementId: 'A',
        providerId: 'p',
        outcome: 'Rejected',
      });
      const cancel = cold('-|');
      const A = fakeAgreement({
        id: 'A',
        confirm: cold('-|'),
        waitForApproval: cold('--#', undefined, rejected),
        cancel,
      });
      const a = fakeDraftProposal({ id: 'a', createAgreement: cold('-A|', { A }) });
      // prettier-ignore
      const e1 = hot('  -a|', { a }); // a bare draft: no lease
      const expected = '-----|';

      expectObservable(e1.pipe(createAgreement({ onEvent: (e) => events.push(e) }))).toBe(expected);
      expectSubscriptions(cancel.subscriptions).toBe([]);
    });
    const [event] = events;
    expect(
      event?.type === 'agreementFailed' && isAgreementNotApprovedError(event.error) && event.error.outcome,
    ).toBe('Rejected');
  });

  it('reports a create call that completes empty, with nothing to clean up', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable }) => {
      const a = fakeDraftProposal({ id: 'a', createAgreement: cold<FakeAgreement>('--|') });
      // prettier-ignore
      const e1 = hot('  -a|', { a: leased(a) });
      expectObservable(e1.pipe(createAgreement({ onEvent: (e) => events.push(e) }))).toBe('---|');
    });
    expect(released).toEqual([['a', 3]]);
    const [event] = events;
    expect(
      event?.type === 'agreementFailed' && isEmptyResponseError(event.error) && event.error.operation,
    ).toBe('createAgreement');
  });

  it('times out the approval, aborts the wait, cancels, falls back to terminate and reports what failed', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const wait = cold('-');
      const cancel = cold('-#');
      const terminate = cold('-#');
      const A = fakeAgreement({ id: 'A', confirm: cold('-|'), waitForApproval: wait, cancel, terminate });
      const a = fakeDraftProposal({ id: 'a', createAgreement: cold('-A|', { A }) });
      // prettier-ignore
      const e1 = hot('  -a|', { a: leased(a) });
      //                 ca: -A|   confirm: -|   wait: ---- (timeout 4)   cancel: -#   terminate: -#
      const expected = '---------|';

      expectObservable(e1.pipe(createAgreement({ approvalTimeout: 4, onEvent: (e) => events.push(e) }))).toBe(
        expected,
      );
      expectSubscriptions(wait.subscriptions).toBe('---^---!');
      expectSubscriptions(cancel.subscriptions).toBe('-------^!');
      expectSubscriptions(terminate.subscriptions).toBe('--------^!');
    });
    expect(released).toEqual([['a', 9]]);
    expect(events.map((e) => (e.type === 'cleanupFailed' ? e.action : e.type))).toEqual([
      'agreementFailed',
      'cancelAgreement',
      'terminateAgreement',
    ]);
    const [failed] = events;
    expect(
      failed?.type === 'agreementFailed' && isAgreementNotApprovedError(failed.error) && failed.error.outcome,
    ).toBe('Timeout');
  });

  it('signs `concurrency` drafts in parallel', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const A = fakeAgreement({ id: 'A', confirm: cold('-|'), waitForApproval: cold('--|') });
      const B = fakeAgreement({ id: 'B', confirm: cold('-|'), waitForApproval: cold('--|') });
      const ca = cold('-A|', { A });
      const cb = cold('-B|', { B });
      const [a, b] = [
        fakeDraftProposal({ id: 'a', createAgreement: ca }),
        fakeDraftProposal({ id: 'b', createAgreement: cb }),
      ];
      // prettier-ignore
      const e1 = hot('  -ab---|', { a: leased(a), b: leased(b) });
      const expected = '-----A(B|)';

      expectObservable(e1.pipe(createAgreement({ concurrency: 2 }))).toBe(expected, { A, B });
      expectSubscriptions(ca.subscriptions).toBe('-^!');
      expectSubscriptions(cb.subscriptions).toBe('--^!');
    });
    expect(released).toEqual([
      ['a', 5],
      ['b', 6],
    ]);
  });

  it('on unsubscribe aborts the calls in flight, cancels what it created and rejects the drafts it holds', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const wait = cold('-----|');
      const cancel = cold('--|');
      const A = fakeAgreement({ id: 'A', confirm: cold('-|'), waitForApproval: wait, cancel });
      const cb = cold('----B|', { B: fakeAgreement({ id: 'B' }) });
      const rejectB = cold('-|');
      const rejectC = cold('-|');
      const a = fakeDraftProposal({ id: 'a', createAgreement: cold('-A|', { A }) });
      const b = fakeDraftProposal({ id: 'b', createAgreement: cb, reject: rejectB });
      const c = fakeDraftProposal({ id: 'c', reject: rejectC });
      // prettier-ignore
      const e1 = hot('  -abc----|', { a: leased(a), b: leased(b), c: leased(c) });
      const unsub = '   ----!';
      const e1subs = '  ^---!';

      expectObservable(e1.pipe(createAgreement({ concurrency: 2 })), unsub).toBe('-----');
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(wait.subscriptions).toBe('---^!');
      expectSubscriptions(cancel.subscriptions).toBe('----^-!'); // runs to its end after the unsubscribe
      expectSubscriptions(cb.subscriptions).toBe('--^-!');
      expectSubscriptions(rejectB.subscriptions).toBe('----^!'); // b's create was aborted: reject it
      expectSubscriptions(rejectC.subscriptions).toBe('----^!'); // c never began
    });
    expect(released.map(([id, frame]) => `${id}@${frame}`).sort()).toEqual(['a@4', 'b@4', 'c@4']);
  });

  it('passes the source error on after cancelling the agreement in flight', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const cancel = cold('-|');
      const A = fakeAgreement({ id: 'A', confirm: cold('-|'), waitForApproval: cold('-----|'), cancel });
      const a = fakeDraftProposal({ id: 'a', createAgreement: cold('-A|', { A }) });
      // prettier-ignore
      const e1 = hot('  -a--#', { a: leased(a) });
      const e1subs = '  ^---!';
      const expected = '----#';

      expectObservable(e1.pipe(createAgreement())).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(cancel.subscriptions).toBe('----^!');
    });
    expect(released).toEqual([['a', 4]]);
  });

  it('completes with an empty source and never completes with a never source', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const empty = cold<Draft>('|');
      const never = cold<Draft>('-');
      expectObservable(empty.pipe(createAgreement())).toBe('|');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
      expectObservable(never.pipe(createAgreement()), '^-----!').toBe('------');
      expectSubscriptions(never.subscriptions).toBe('^-----!');
    });
  });

  it('does not break unsubscription chains when the result is unsubscribed explicitly', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const ca = cold('-----A|', { A: fakeAgreement({ id: 'A' }) });
      const a = fakeDraftProposal({ id: 'a', createAgreement: ca });
      // prettier-ignore
      const e1 = hot('  -a-------|', { a });
      const unsub = '   ----!';
      const e1subs = '  ^---!';

      const result = e1.pipe(
        mergeMap((x) => of(x)),
        createAgreement(),
        mergeMap((x) => of(x)),
      );
      expectObservable(result, unsub).toBe('-----');
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(ca.subscriptions).toBe('-^--!');
    });
  });

  it('stops a synchronous firehose once take is satisfied', () => {
    const sideEffects: number[] = [];
    const firehose = new Observable<Draft>((subscriber) => {
      for (let i = 0; !subscriber.closed && i < 100; i++) {
        sideEffects.push(i);
        subscriber.next(
          fakeDraftProposal({ id: `d${i}`, createAgreement: of(fakeAgreement({ id: `A${i}` })) }),
        );
      }
    });
    const got: string[] = [];
    firehose
      .pipe(createAgreement(), take(2))
      .subscribe({ next: (x) => got.push(x.id), error: (err: unknown) => expect.fail(String(err)) });
    expect(sideEffects).toEqual([0, 1]);
    expect(got).toEqual(['A0', 'A1']);
  });
});
