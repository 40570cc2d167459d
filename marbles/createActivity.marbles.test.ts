import { Observable, mergeMap, of, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { YagnaGoneError } from '../src/api/errors/YagnaGoneError.js';
import { YagnaNotFoundError } from '../src/api/errors/YagnaNotFoundError.js';
import { YagnaServerError } from '../src/api/errors/YagnaServerError.js';
import { createActivity } from '../src/operators/createActivity.js';
import type { OperatorEvent } from '../src/operators/events.js';
import { type FakeActivity, type FakeAgreement, fakeActivity, fakeAgreement } from '../src/testing/fakes.js';

type Agreement = FakeAgreement<FakeActivity>;

describe('createActivity', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('creates, deploys and starts an activity per agreement, concurrently', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const deployX = cold('--|');
      const deployY = cold('--|');
      const X = fakeActivity({ id: 'X', agreement: fakeAgreement({ id: 'A' }), deployAndStart: deployX });
      const Y = fakeActivity({ id: 'Y', agreement: fakeAgreement({ id: 'B' }), deployAndStart: deployY });
      const ca = cold('-x|', { x: X });
      const cb = cold('-y|', { y: Y });
      const a: Agreement = fakeAgreement({ id: 'A', createActivity: ca });
      const b: Agreement = fakeAgreement({ id: 'B', createActivity: cb });
      // prettier-ignore
      const e1 = hot('  -a-b--|', { a, b });
      const e1subs = '  ^-----!';
      //                 ca: -x|  deployAndStart: --|
      //                   cb: -y|  deployAndStart: --|
      const expected = '----X-(Y|)';

      expectObservable(e1.pipe(createActivity())).toBe(expected, { X, Y });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(ca.subscriptions).toBe('-^!');
      expectSubscriptions(cb.subscriptions).toBe('---^!');
      expectSubscriptions(deployX.subscriptions).toBe('--^-!');
      expectSubscriptions(deployY.subscriptions).toBe('----^-!');
    });
  });

  it('reports a failed activity, destroys it, terminates its agreement and moves on', () => {
    const events: OperatorEvent[] = [];
    const boom = new Error('deploy failed');
    const refused = new Error('no activity');
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const destroyX = cold('-|');
      const terminateA = cold('-|');
      const terminateB = cold('-|');
      const A: Agreement = fakeAgreement({ id: 'A', terminate: terminateA });
      const X = fakeActivity({
        id: 'X',
        agreement: A,
        deployAndStart: cold('--#', undefined, boom),
        destroy: destroyX,
      });
      const a: Agreement = fakeAgreement({
        id: 'A',
        terminate: terminateA,
        createActivity: cold('-x|', { x: X }),
      });
      const b: Agreement = fakeAgreement({
        id: 'B',
        terminate: terminateB,
        createActivity: cold<FakeActivity>('-#', undefined, refused),
      });
      // prettier-ignore
      const e1 = hot('  -a-b--|', { a, b });
      //                 ca: -x|  deploy: --#  destroy: -|  terminate: -|
      //                   cb: -#  terminate: -|
      const expected = '------|';

      expectObservable(e1.pipe(createActivity({ onEvent: (e) => events.push(e) }))).toBe(expected);
      expectSubscriptions(destroyX.subscriptions).toBe('----^!');
      expectSubscriptions(terminateA.subscriptions).toBe('-----^!');
      expectSubscriptions(terminateB.subscriptions).toBe('----^!');
    });
    expect(events).toEqual([
      // both at frame 4; a's deploy was subscribed first
      {
        type: 'activityFailed',
        agreement: expect.objectContaining({ id: 'A' }),
        activity: expect.objectContaining({ id: 'X' }),
        error: boom,
      },
      {
        type: 'activityFailed',
        agreement: expect.objectContaining({ id: 'B' }),
        activity: undefined,
        error: refused,
      },
    ]);
  });

  it('on unsubscribe aborts the calls in flight, destroys what it created and terminates the agreements', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const deployX = cold('-----|');
      const destroyX = cold('-|');
      const terminateA = cold('-|');
      const cb = cold<FakeActivity>('-----y|');
      const terminateB = cold('-|');
      const A: Agreement = fakeAgreement({ id: 'A', terminate: terminateA });
      const X = fakeActivity({ id: 'X', agreement: A, deployAndStart: deployX, destroy: destroyX });
      const a: Agreement = fakeAgreement({
        id: 'A',
        terminate: terminateA,
        createActivity: cold('-x|', { x: X }),
      });
      const b: Agreement = fakeAgreement({ id: 'B', terminate: terminateB, createActivity: cb });
      // prettier-ignore
      const e1 = hot('  -ab----|', { a, b });
      const unsub = '   ---!';
      const e1subs = '  ^--!';

      expectObservable(e1.pipe(createActivity()), unsub).toBe('----');
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(deployX.subscriptions).toBe('--^!');
      expectSubscriptions(destroyX.subscriptions).toBe('---^!'); // runs to its end after the unsubscribe
      expectSubscriptions(terminateA.subscriptions).toBe('----^!'); // after the destroy
      expectSubscriptions(cb.subscriptions).toBe('--^!');
      expectSubscriptions(terminateB.subscriptions).toBe('---^!');
    });
  });

  it('terminates the agreements still queued behind `concurrency` on unsubscribe', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const ca = cold<FakeActivity>('-----x|');
      const cb = cold<FakeActivity>('-y|');
      const terminateA = cold('-|');
      const terminateB = cold('-|');
      const a: Agreement = fakeAgreement({ id: 'A', createActivity: ca, terminate: terminateA });
      const b: Agreement = fakeAgreement({ id: 'B', createActivity: cb, terminate: terminateB });
      // prettier-ignore
      const e1 = hot('  -ab-----|', { a, b });
      const unsub = '   ---!';

      expectObservable(e1.pipe(createActivity({ concurrency: 1 })), unsub).toBe('----');
      expectSubscriptions(ca.subscriptions).toBe('-^-!');
      expectSubscriptions(terminateA.subscriptions).toBe('---^!');
      expectSubscriptions(cb.subscriptions).toBe([]); // b was queued, never started…
      expectSubscriptions(terminateB.subscriptions).toBe('---^!'); // …and is not left dangling
    });
  });

  it('passes the source error on after releasing the activity in flight', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const destroyX = cold('-|');
      const terminateA = cold('-|');
      const A: Agreement = fakeAgreement({ id: 'A', terminate: terminateA });
      const X = fakeActivity({ id: 'X', agreement: A, deployAndStart: cold('-----|'), destroy: destroyX });
      const a: Agreement = fakeAgreement({
        id: 'A',
        terminate: terminateA,
        createActivity: cold('-x|', { x: X }),
      });
      // prettier-ignore
      const e1 = hot('  -a-#', { a });
      const e1subs = '  ^--!';
      const expected = '---#';

      expectObservable(e1.pipe(createActivity())).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(destroyX.subscriptions).toBe('---^!');
      expectSubscriptions(terminateA.subscriptions).toBe('----^!');
    });
  });

  it('completes with an empty source and never completes with a never source', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const empty = cold<Agreement>('|');
      const never = cold<Agreement>('-');
      expectObservable(empty.pipe(createActivity())).toBe('|');
      expectSubscriptions(empty.subscriptions).toBe('(^!)');
      expectObservable(never.pipe(createActivity()), '^-----!').toBe('------');
      expectSubscriptions(never.subscriptions).toBe('^-----!');
    });
  });

  it('does not break unsubscription chains when the result is unsubscribed explicitly', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const ca = cold<FakeActivity>('-----x|');
      const a: Agreement = fakeAgreement({ id: 'A', createActivity: ca });
      // prettier-ignore
      const e1 = hot('  -a-------|', { a });
      const unsub = '   ----!';
      const e1subs = '  ^---!';

      const result = e1.pipe(
        mergeMap((x) => of(x)),
        createActivity(),
        mergeMap((x) => of(x)),
      );
      expectObservable(result, unsub).toBe('-----');
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(ca.subscriptions).toBe('-^--!');
    });
  });

  it('stops a synchronous firehose once take is satisfied', () => {
    const sideEffects: number[] = [];
    const firehose = new Observable<Agreement>((subscriber) => {
      for (let i = 0; !subscriber.closed && i < 100; i++) {
        sideEffects.push(i);
        const agreement: Agreement = fakeAgreement({
          id: `A${i}`,
          createActivity: new Observable<FakeActivity>((s) => {
            s.next(fakeActivity({ id: `X${i}`, agreement }));
            s.complete();
          }),
        });
        subscriber.next(agreement);
      }
    });
    const got: string[] = [];
    firehose
      .pipe(createActivity(), take(2))
      .subscribe({ next: (x) => got.push(x.id), error: (err: unknown) => expect.fail(String(err)) });
    expect(sideEffects).toEqual([0, 1]);
    expect(got).toEqual(['X0', 'X1']);
  });

  it('counts a destroy or terminate answered 404 or 410 (already gone) as done, and reports other failures', () => {
    const events: OperatorEvent[] = [];
    const boom = new Error('deploy failed');
    const notFound = new YagnaNotFoundError('Activity [X] not found', { status: 404 });
    const gone = new YagnaGoneError('Agreement [A] terminated', { status: 410 });
    const serverError = new YagnaServerError('internal error', { status: 500 });
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      // A: its activity crashed and is gone (404), the provider terminated the agreement (410)
      const destroyX = cold('-#', undefined, notFound);
      const terminateA = cold('-#', undefined, gone);
      // B: the same calls fail otherwise
      const destroyY = cold('-#', undefined, serverError);
      const terminateB = cold('-#', undefined, serverError);
      const A: Agreement = fakeAgreement({ id: 'A', terminate: terminateA });
      const B: Agreement = fakeAgreement({ id: 'B', terminate: terminateB });
      const X = fakeActivity({
        id: 'X',
        agreement: A,
        deployAndStart: cold('--#', undefined, boom),
        destroy: destroyX,
      });
      const Y = fakeActivity({
        id: 'Y',
        agreement: B,
        deployAndStart: cold('--#', undefined, boom),
        destroy: destroyY,
      });
      const a: Agreement = fakeAgreement({
        id: 'A',
        terminate: terminateA,
        createActivity: cold('-x|', { x: X }),
      });
      const b: Agreement = fakeAgreement({
        id: 'B',
        terminate: terminateB,
        createActivity: cold('-y|', { y: Y }),
      });
      // prettier-ignore
      const e1 = hot('  -(ab)|', { a, b });
      //                 ca: -x|  deploy: --#  destroy: -#  terminate: -#
      const expected = '------|';

      expectObservable(e1.pipe(createActivity({ onEvent: (e) => events.push(e) }))).toBe(expected);
      expectSubscriptions(destroyX.subscriptions).toBe('----^!');
      expectSubscriptions(terminateA.subscriptions).toBe('-----^!');
      expectSubscriptions(destroyY.subscriptions).toBe('----^!');
      expectSubscriptions(terminateB.subscriptions).toBe('-----^!');
    });
    expect(
      events.map((e) =>
        e.type === 'cleanupFailed'
          ? `${e.action}:${e.resourceId}`
          : e.type === 'activityFailed'
            ? `${e.type}:${e.agreement.id}`
            : e.type,
      ),
    ).toEqual(['activityFailed:A', 'activityFailed:B', 'destroyActivity:Y', 'terminateAgreement:B']);
  });

  it('on unsubscribe, counts a terminate answered 410 for a queued agreement as done', () => {
    const events: OperatorEvent[] = [];
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const terminateB = cold(
        '-#',
        undefined,
        new YagnaGoneError('Agreement [B] terminated', { status: 410 }),
      );
      const X = fakeActivity({
        id: 'X',
        agreement: fakeAgreement({ id: 'A' }),
        deployAndStart: cold('-----|'),
      });
      const a: Agreement = fakeAgreement({ id: 'A', createActivity: cold('-x|', { x: X }) });
      const b: Agreement = fakeAgreement({ id: 'B', terminate: terminateB });
      // prettier-ignore
      const e1 = hot('  -ab----|', { a, b });
      const unsub = '   ---!';

      expectObservable(
        e1.pipe(createActivity({ concurrency: 1, onEvent: (e) => events.push(e) })),
        unsub,
      ).toBe('----');
      expectSubscriptions(terminateB.subscriptions).toBe('---^!');
    });
    expect(events).toEqual([]);
  });
});
