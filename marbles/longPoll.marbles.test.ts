import type { Observable } from 'rxjs';
import { take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LongPollConfig } from '../src/sources/index.js';
import { createLongPollSource, longPoll } from '../src/sources/index.js';

/** An event of a persistent log whose cursor is a number (`at`). */
interface Ev {
  readonly id: string;
  readonly at: number;
}
const ev = (id: string, at: number): Ev => ({ id, at });

/** Errors shaped like the api layer's: a status, or a network code. */
const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });
const connReset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

/**
 * A source whose requests are scripted: the n-th request returns `fetches[n]` (a cold
 * Observable, so its subscriptions show when a request starts and when it is cancelled).
 * Records the cursor and the AbortSignal of every request.
 */
function scripted(fetches: Observable<unknown>[], extra: Partial<LongPollConfig<Ev, number>> = {}) {
  const cursors: (number | undefined)[] = [];
  const signals: AbortSignal[] = [];
  const queue = [...fetches];
  const source = createLongPollSource<Ev, number>({
    fetchBatch: (cursor, signal) => {
      cursors.push(cursor);
      signals.push(signal);
      const next = queue.shift();
      if (next === undefined) throw new Error('a request nobody scripted');
      return next as Observable<readonly Ev[]>;
    },
    cursorOf: (e) => e.at,
    compareCursor: (a, b) => a - b,
    keyOf: (e) => e.id,
    minIntervalMs: 0,
    random: () => 0,
    backoff: { initialMs: 10, factor: 2, maxMs: 25 },
    scheduler: testScheduler,
    ...extra,
  });
  return { source, cursors, signals };
}

describe('createLongPollSource', () => {
  it('polls again as soon as a batch arrives, emitting its events one by one', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const f1 = cold(' --(a|)', { a: [ev('1', 1), ev('2', 2)] });
      const f1subs = '  ^-!';
      const f2 = cold('   -----(b|)', { b: [ev('3', 3)] });
      const f2subs = '  --^----!';
      const f3 = cold('        -');
      const f3subs = '  -------^--!';
      const unsub = '   ----------!';
      const expected = '--(xy)-z---';

      const { source, cursors } = scripted([f1, f2, f3]);
      expectObservable(source.events$, unsub).toBe(expected, { x: ev('1', 1), y: ev('2', 2), z: ev('3', 3) });
      expectSubscriptions(f1.subscriptions).toBe(f1subs);
      expectSubscriptions(f2.subscriptions).toBe(f2subs);
      expectSubscriptions(f3.subscriptions).toBe(f3subs);
      testScheduler.flush();
      expect(cursors).toEqual([undefined, 2, 3]);
    });
  });

  it('advances the cursor only forward and keeps it across an empty batch', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [ev('1', 5), ev('2', 4)] });
      const f2 = cold('  --(b|)', { b: [] });
      const f3 = cold('    --(c|)', { c: [ev('3', 7)] });
      const f4 = cold('      -');
      const unsub = '   --------!';
      const expected = '-(xy)z---';

      const { source, cursors } = scripted([f1, f2, f3, f4]);
      expectObservable(source.events$, unsub).toBe(expected, { x: ev('1', 5), y: ev('2', 4), z: ev('3', 7) });
      testScheduler.flush();
      expect(cursors).toEqual([undefined, 5, 5, 7]);
      expect(source.cursor).toBe(7);
    });
  });

  it('waits out minIntervalMs after an empty batch that came back too fast, not after a slow one', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const f1 = cold(' --(a|)', { a: [] });
      const f1subs = '  ^-!';
      // empty after 2 of 10 ms: the next poll waits 8 more
      const f2 = cold('           ----------(b|)', { b: [] });
      const f2subs = '  ----------^---------!';
      // empty after 10 ms: polled again at once
      const f3 = cold('                     -');
      const f3subs = '  --------------------^-!';
      const unsub = '   ----------------------!';

      const { source } = scripted([f1, f2, f3], { minIntervalMs: 10 });
      expectObservable(source.events$, unsub).toBe('-');
      expectSubscriptions(f1.subscriptions).toBe(f1subs);
      expectSubscriptions(f2.subscriptions).toBe(f2subs);
      expectSubscriptions(f3.subscriptions).toBe(f3subs);
    });
  });

  it('drops events it has already delivered (de-duplication by key)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [ev('1', 1), ev('2', 2)] });
      const f2 = cold('  ----(b|)', { b: [ev('2', 2), ev('3', 3)] });
      const f3 = cold('      -(c|)', { c: [ev('1', 1)] });
      const f4 = cold('       -');
      const unsub = '   ----------!';
      const expected = '-(xy)z-----';

      const { source } = scripted([f1, f2, f3, f4]);
      expectObservable(source.events$, unsub).toBe(expected, { x: ev('1', 1), y: ev('2', 2), z: ev('3', 3) });
    });
  });

  it('forgets keys beyond dedupWindow (bounded memory)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [ev('1', 1), ev('2', 2)] });
      const f2 = cold('  ----(b|)', { b: [ev('1', 1)] });
      const f3 = cold('      -');
      const unsub = '   --------!';
      const expected = '-(xy)z---';

      const { source } = scripted([f1, f2, f3], { dedupWindow: 1 });
      expectObservable(source.events$, unsub).toBe(expected, { x: ev('1', 1), y: ev('2', 2), z: ev('1', 1) });
    });
  });

  it('backs off on transient errors with exact delays, reporting health, then recovers', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const f1 = cold(' -#', undefined, connReset);
      const f1subs = '  ^!';
      // fails at 1: unreachable, retry in 10
      const f2 = cold('            -#', undefined, httpError(503));
      const f2subs = '  -----------^!';
      // fails at 12: unreachable, retry in 20
      const f3 = cold('                                 -(a|)', { a: [ev('1', 1)] });
      const f3subs = '  --------------------------------^!';
      const f4 = cold('                                  -');
      const unsub = '   ------------------------------------!';
      const expected = '---------------------------------x---';
      const health = '  -u----------v--------------------r---';

      const { source } = scripted([f1, f2, f3, f4]);
      expectObservable(source.events$, unsub).toBe(expected, { x: ev('1', 1) });
      expectObservable(source.health$, unsub).toBe(health, {
        u: { kind: 'unreachable', attempt: 1, error: connReset, retryInMs: 10 },
        v: { kind: 'unreachable', attempt: 2, error: httpError(503), retryInMs: 20 },
        r: { kind: 'recovered', downtimeMs: 32 },
      });
      expectSubscriptions(f1.subscriptions).toBe(f1subs);
      expectSubscriptions(f2.subscriptions).toBe(f2subs);
      expectSubscriptions(f3.subscriptions).toBe(f3subs);
    });
  });

  it('caps the backoff at maxMs and applies jitter from the injected random', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // delays 10, 20, 40 → 25 (cap), 50 → 25; jitter 0.5 × random 0.4 takes 20% off: 8, 16, 20, 20
      const fail = () => cold('#', undefined, httpError(502));
      // prettier-ignore
      const health = '  u-------v---------------w-------------------x-----';
      const unsub = '   --------------------------------------------------!';

      const { source } = scripted([fail(), fail(), fail(), fail()], { random: () => 0.4 });
      expectObservable(source.events$, unsub).toBe('-');
      expectObservable(source.health$, unsub).toBe(health, {
        u: { kind: 'unreachable', attempt: 1, error: httpError(502), retryInMs: 8 },
        v: { kind: 'unreachable', attempt: 2, error: httpError(502), retryInMs: 16 },
        w: { kind: 'unreachable', attempt: 3, error: httpError(502), retryInMs: 20 },
        x: { kind: 'unreachable', attempt: 4, error: httpError(502), retryInMs: 20 },
      });
    });
  });
});

describe('createLongPollSource: termination and errors', () => {
  it('completes on a terminal error (404 on a gone subscription): never hangs', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [ev('1', 1)] });
      const f2 = cold('  --#', undefined, httpError(404));
      const f2subs = '  -^-!';
      const expected = '-x-|';

      const { source } = scripted([f1, f2]);
      expectObservable(source.events$).toBe(expected, { x: ev('1', 1) });
      expectSubscriptions(f2.subscriptions).toBe(f2subs);
    });
  });

  it('errors with a non-transient, non-terminal error (never swallowed)', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [ev('1', 1)] });
      const f2 = cold('  --#', undefined, httpError(401));
      const f2subs = '  -^-!';
      const expected = '-x-#';

      const { source } = scripted([f1, f2]);
      expectObservable(source.events$).toBe(expected, { x: ev('1', 1) }, httpError(401));
      expectSubscriptions(f2.subscriptions).toBe(f2subs);
    });
  });

  it('errors with the last transient error after maxRetries', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const f1 = cold(' -#', undefined, httpError(500));
      const f2 = cold('            -#', undefined, httpError(500));
      const expected = '------------#';

      const { source } = scripted([f1, f2], { maxRetries: 1 });
      expectObservable(source.events$).toBe(expected, undefined, httpError(500));
    });
  });

  it('errors when a callback throws (keyOf), and when onHealth throws', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const boom = new Error('keyOf failed');
      const { source } = scripted([cold('-(a|)', { a: [ev('1', 1)] })], {
        keyOf: () => {
          throw boom;
        },
      });
      expectObservable(source.events$).toBe('-#', undefined, boom);

      const healthBoom = new Error('onHealth failed');
      const { source: other } = scripted([cold('--#', undefined, connReset)], {
        onHealth: () => {
          throw healthBoom;
        },
      });
      expectObservable(other.events$).toBe('--#', undefined, healthBoom);
    });
  });

  it('treats an Observable fetch that completes without a value as an empty batch', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const f1 = cold(' --|');
      const f2 = cold('   -(a|)', { a: [ev('1', 1)] });
      const f3 = cold('    -');
      const unsub = '   -----!';
      const { source, cursors } = scripted([f1, f2, f3]);
      expectObservable(source.events$, unsub).toBe('---x--', { x: ev('1', 1) });
      testScheduler.flush();
      expect(cursors).toEqual([undefined, undefined, 1]);
    });
  });
});

describe('createLongPollSource: sharing and cancellation', () => {
  it('polls only while subscribed: one request for two subscribers, stopped by the last to leave', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const f1 = cold('   --(a|)', { a: [ev('1', 1)] });
      const f1subs = '  --^-!';
      const f2 = cold('     ---------(b|)', { b: [ev('2', 2)] });
      const f2subs = '  ----^-----!';
      const sub1 = '    --^-----!';
      const sub2 = '    ---^------!';
      const first = '   ----x---';
      const second = '  ----x-----';

      const { source } = scripted([f1, f2]);
      expectObservable(source.events$, sub1).toBe(first, { x: ev('1', 1) });
      expectObservable(source.events$, sub2).toBe(second, { x: ev('1', 1) });
      expectSubscriptions(f1.subscriptions).toBe(f1subs);
      expectSubscriptions(f2.subscriptions).toBe(f2subs);
    });
  });

  it('does not poll for subscribers of health$ alone', () => {
    testScheduler.run(({ expectObservable }) => {
      const { source, cursors } = scripted([]);
      expectObservable(source.health$, '---!').toBe('-');
      testScheduler.flush();
      expect(cursors).toEqual([]);
    });
  });

  it('aborts the request in flight when the last subscriber leaves, never one that succeeded', () => {
    let signals: AbortSignal[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [ev('1', 1)] });
      const f2 = cold('  ------(b|)', { b: [ev('2', 2)] });
      const f2subs = '  -^--!';
      const unsub = '   ----!';

      const run = scripted([f1, f2]);
      signals = run.signals;
      expectObservable(run.source.events$, unsub).toBe('-x--', { x: ev('1', 1) });
      expectSubscriptions(f2.subscriptions).toBe(f2subs);
    });
    expect(signals.map((s) => s.aborted)).toEqual([false, true]);
  });

  it('resumes from the last cursor after a refCount reset (a late subscriber does not replay history)', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [ev('1', 1)] });
      const f2 = cold('  -----', {});
      const f2subs = '  -^--!';
      const f3 = cold('         -(b|)', { b: [ev('2', 2)] });
      const f3subs = '  --------^!';
      const f4 = cold('          -');
      const sub1 = '    ^---!';
      const sub2 = '    --------^---!';

      const { source, cursors } = scripted([f1, f2, f3, f4]);
      expectObservable(source.events$, sub1).toBe('-x--', { x: ev('1', 1) });
      expectObservable(source.events$, sub2).toBe('---------y--', { y: ev('2', 2) });
      expectSubscriptions(f2.subscriptions).toBe(f2subs);
      expectSubscriptions(f3.subscriptions).toBe(f3subs);
      testScheduler.flush();
      expect(cursors).toEqual([undefined, 1, 1, 2]);
    });
  });

  it('keeps the events a consumer left behind mid-batch for the next subscriber, without a request', () => {
    let signals: AbortSignal[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [ev('1', 1), ev('2', 2), ev('3', 3)] });
      const f2 = cold('      -');
      const f2subs = '  -----^--!';
      const sub2 = '    -----^--!';

      const { source, cursors, signals: recorded } = scripted([f1, f2]);
      signals = recorded;
      expectObservable(source.events$.pipe(take(1))).toBe('-(x|)', { x: ev('1', 1) });
      expectObservable(source.events$, sub2).toBe('-----(yz)', { y: ev('2', 2), z: ev('3', 3) });
      expectSubscriptions(f2.subscriptions).toBe(f2subs);
      testScheduler.flush();
      expect(cursors).toEqual([undefined, 3]);
    });
    // leaving in the middle of a delivered batch does not abort its (finished) request
    expect(signals.map((s) => s.aborted)).toEqual([false, true]);
  });

  it('after a daemon restart resumes from its cursor, losing and repeating nothing', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [ev('1', 1), ev('2', 2)] });
      // the connection drops at 3; yagna is back at 13 (retry in 10) and replays event 2
      const f2 = cold('  --#', undefined, connReset);
      const f3 = cold('              --(b|)', { b: [ev('2', 2), ev('3', 3)] });
      const f4 = cold('                -');
      const unsub = '   -------------------!';
      const expected = '-(xy)----------z----';

      const { source, cursors } = scripted([f1, f2, f3, f4]);
      expectObservable(source.events$, unsub).toBe(expected, { x: ev('1', 1), y: ev('2', 2), z: ev('3', 3) });
      testScheduler.flush();
      expect(cursors).toEqual([undefined, 2, 2, 3]);
    });
  });

  it('longPoll() is the events of a source, health going to onHealth', () => {
    const reports: unknown[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const f1 = cold(' -#', undefined, connReset);
      const f2 = cold('            -(a|)', { a: [ev('1', 1)] });
      const f3 = cold('             -');
      const queue = [f1, f2, f3];
      const events$ = longPoll<Ev, number>({
        fetchBatch: () => queue.shift()! as Observable<readonly Ev[]>,
        random: () => 0,
        backoff: { initialMs: 10 },
        onHealth: (h) => reports.push([testScheduler.now(), h]),
      });
      expectObservable(events$, '--------------!').toBe('------------x', { x: ev('1', 1) });
    });
    expect(reports).toEqual([
      [1, { kind: 'unreachable', attempt: 1, error: connReset, retryInMs: 10 }],
      [12, { kind: 'recovered', downtimeMs: 11 }],
    ]);
  });
});
