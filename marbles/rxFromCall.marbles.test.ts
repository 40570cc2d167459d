import { firstValueFrom, lastValueFrom, mergeMap, of, take, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { type CallResult, fromCall } from '../src/rx/fromCall.js';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

/** A call that answers with `answer` (a cold Observable standing for the request), recording its signals. */
function recorded<T>(answer: () => CallResult<T>) {
  const signals: AbortSignal[] = [];
  const call$ = fromCall((signal) => {
    signals.push(signal);
    return answer();
  });
  return { call$, signals };
}

describe('fromCall (an Observable answer: a stub in virtual time)', () => {
  it('mirrors the answer and aborts nothing once it has answered', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 =  cold('--r|');
      const e1subs = '  ^--!';
      const expected = '--r|';

      const { call$, signals } = recorded(() => e1);
      expectObservable(call$).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      testScheduler.flush();
      expect(signals.map((s) => s.aborted)).toEqual([false]);
    });
  });

  it('errors with what the call errors with, and aborts nothing', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 =  cold('--#', undefined, new Error('503'));
      const e1subs = '  ^-!';
      const expected = '--#';

      const { call$, signals } = recorded(() => e1);
      expectObservable(call$).toBe(expected, undefined, new Error('503'));
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      testScheduler.flush();
      expect(signals[0]?.aborted).toBe(false);
    });
  });

  it('errors with what the call throws synchronously', () => {
    testScheduler.run(({ expectObservable }) => {
      const { call$, signals } = recorded<string>(() => {
        throw new TypeError('bad argument');
      });
      expectObservable(call$).toBe('#', undefined, new TypeError('bad argument'));
      testScheduler.flush();
      expect(signals[0]?.aborted).toBe(false);
    });
  });

  it('aborts the call when unsubscribed while it is in flight', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 =  cold('-----r|');
      const e1subs = '  ^--!';
      const unsub = '   ---!';
      const expected = '---';

      const { call$, signals } = recorded(() => e1);
      expectObservable(call$, unsub).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      testScheduler.flush();
      expect(signals.map((s) => s.aborted)).toEqual([true]);
    });
  });

  it('does not abort a call that has answered, even if the subscriber leaves before it completes', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 =  cold('--r------');
      const e1subs = '  ^----!';
      const unsub = '   -----!';
      const expected = '--r--';

      const { call$, signals } = recorded(() => e1);
      expectObservable(call$, unsub).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      testScheduler.flush();
      expect(signals.map((s) => s.aborted)).toEqual([false]);
    });
  });

  it('aborts through an unsubscription chain', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 =  cold('------r|');
      const e1subs = '  ^---!';
      const unsub = '   ----!';
      const expected = '----';

      const { call$, signals } = recorded(() => e1);
      const result = call$.pipe(mergeMap((r) => of(r)));
      expectObservable(result, unsub).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      testScheduler.flush();
      expect(signals.map((s) => s.aborted)).toEqual([true]);
    });
  });

  it('is cold: every subscription calls again, with a signal of its own', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const e1 =  cold('--r|');
      const sub1 = '    ^--!';
      const sub2 = '    ----^--!';

      const { call$, signals } = recorded(() => e1);
      expectObservable(call$).toBe('--r|');
      testScheduler.schedule(() => call$.subscribe(), 4);
      expectSubscriptions(e1.subscriptions).toBe([sub1, sub2]);
      testScheduler.flush();
      expect(signals).toHaveLength(2);
      expect(signals[0]).not.toBe(signals[1]);
    });
  });

  it('completes empty when the answer does (take(1) upstream of a batch keeps that)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const e1 =  cold('--|');
      const { call$, signals } = recorded(() => e1);
      expectObservable(call$.pipe(take(1))).toBe('--|');
      testScheduler.flush();
      expect(signals[0]?.aborted).toBe(false);
    });
  });
});

describe('fromCall (a Promise answer: the ky client)', () => {
  /** A Promise settled by hand. */
  function deferred<T>() {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }

  it('emits the resolved value once and completes; the signal is not aborted', async () => {
    const { call$, signals } = recorded(() => Promise.resolve('r'));
    expect(await lastValueFrom(call$.pipe(toArray()))).toEqual(['r']);
    expect(signals.map((s) => s.aborted)).toEqual([false]);
  });

  it('errors with the rejection', async () => {
    const { call$ } = recorded(() => Promise.reject(new Error('401')));
    await expect(firstValueFrom(call$)).rejects.toThrow('401');
  });

  it('aborts a pending request when unsubscribed, and delivers nothing after', async () => {
    const answer = deferred<string>();
    const { call$, signals } = recorded(() => answer.promise);
    const seen: unknown[] = [];
    const subscription = call$.subscribe({ next: (v) => seen.push(v), error: (e: unknown) => seen.push(e) });
    expect(signals[0]?.aborted).toBe(false);
    subscription.unsubscribe();
    expect(signals[0]?.aborted).toBe(true);
    answer.resolve('late');
    await answer.promise;
    expect(seen).toEqual([]);
  });

  it('does not abort a request that has answered (its body read is not cut short)', async () => {
    const answer = deferred<string>();
    const { call$, signals } = recorded(() => answer.promise);
    const done = firstValueFrom(call$);
    answer.resolve('r');
    expect(await done).toBe('r');
    expect(signals[0]?.aborted).toBe(false);
  });
});
