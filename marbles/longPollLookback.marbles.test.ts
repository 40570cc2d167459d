import type { Observable } from 'rxjs';
import { take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LongPollConfig } from '../src/sources/index.js';
import { createLongPollSource } from '../src/sources/index.js';

/**
 * Look-back of a persistent log, with numeric cursors for readability: an event `id@at`, a
 * window of 10 (`lookback: (newest) => newest - 10`). The n-th request answers `fetches[n]`,
 * a cold Observable, so its subscription frame is the time the request was sent.
 */
interface Ev {
  readonly id: string;
  readonly at: number;
}
const ev = (id: string, at: number): Ev => ({ id, at });
const e1 = ev('1', 100);
const e2 = ev('2', 105);
const connReset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

function scripted(fetches: Observable<unknown>[], extra: Partial<LongPollConfig<Ev, number>> = {}) {
  const cursors: (number | undefined)[] = [];
  const queue = [...fetches];
  const source = createLongPollSource<Ev, number>({
    fetchBatch: (cursor) => {
      cursors.push(cursor);
      const next = queue.shift();
      if (next === undefined) throw new Error('a request nobody scripted');
      return next as Observable<readonly Ev[]>;
    },
    cursorOf: (e) => e.at,
    compareCursor: (a, b) => a - b,
    keyOf: (e) => e.id,
    lookback: (newest) => newest - 10,
    minIntervalMs: 0,
    random: () => 0,
    backoff: { initialMs: 10 },
    scheduler: testScheduler,
    ...extra,
  });
  return { source, cursors };
}

describe('createLongPollSource: look-back', () => {
  it('delivers an event inserted behind the cursor, inside the window, exactly once', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const x = ev('x', 103); // logged while the long-poll after 105 waits, dated before 105
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [e1, e2] }); // long-poll (whole log)
      const f2 = cold('  -(b|)', { b: [e1, e2] }); // look back after 95: both seen
      const f3 = cold('   -(c|)', { c: [e2] }); // page after 100 (second-newest)
      const f4 = cold('    -----(d|)', { d: [] }); // long-poll after 105: nothing newer
      const f4subs = '  ---^----!';
      const f5 = cold('         -(e|)', { e: [e1, x, e2] }); // look back after 95: x is new
      const f5subs = '  --------^!';
      const f6 = cold('          -(f|)', { f: [e2] }); // page after 103
      const f7 = cold('           -----(g|)', { g: [] }); // long-poll after 105
      const f8 = cold('                -(h|)', { h: [e1, x, e2] }); // look back: x seen now
      const f9 = cold('                 -(i|)', { i: [e2] });
      const f10 = cold('                 -');
      const unsub = '   --------------------!';
      const expected = '-(12)----x-----------';

      const { source, cursors } = scripted([f1, f2, f3, f4, f5, f6, f7, f8, f9, f10]);
      expectObservable(source.events$, unsub).toBe(expected, { 1: e1, 2: e2, x });
      expectSubscriptions(f4.subscriptions).toBe(f4subs);
      expectSubscriptions(f5.subscriptions).toBe(f5subs);
      testScheduler.flush();
      expect(cursors).toEqual([undefined, 95, 100, 105, 95, 103, 105, 95, 103, 105]);
      expect(source.cursor).toBe(105);
    });
  });

  it('loses nothing when a capped batch splits events sharing a cursor, even if the look-back page is capped too', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const e3 = ev('3', 105); // same cursor as e2; the server caps every answer at 2 events
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [e1, e2] }); // long-poll: e3 cut off by the cap
      const f2 = cold('  ---(b|)', { b: [e1, e2] }); // look back after 95: cut off again
      const f3 = cold('     -(c|)', { c: [e2, e3] }); // page after 100, not after 105: e3 comes
      const f4 = cold('      -'); // long-poll after 105
      const unsub = '   --------!';
      const expected = '-(12)3---';

      const { source, cursors } = scripted([f1, f2, f3, f4]);
      expectObservable(source.events$, unsub).toBe(expected, { 1: e1, 2: e2, 3: e3 });
      testScheduler.flush();
      expect(cursors).toEqual([undefined, 95, 100, 105]);
    });
  });

  it('does not busy-loop when only seen events come back: the floor before a repeat, pages at once', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [e1, e2] }); // long-poll: new events, look back at once
      const f1subs = '  ^!';
      const f2 = cold('  -(b|)', { b: [e1, e2] }); // look back after 95: seen; next page at once
      const f2subs = '  -^!';
      const f3 = cold('   -(c|)', { c: [e2] }); // page after 100: seen; long-poll at once
      const f3subs = '  --^!';
      const f4 = cold('    -(d|)', { d: [e2] }); // long-poll after 105 answers a seen event at once
      const f4subs = '  ---^!';
      // only seen events after 1 of 10 ms: the look-back waits 9 more (minIntervalMs)
      const f5 = cold('              -(e|)', { e: [e1, e2] });
      const f5subs = '  -------------^!';
      const f6 = cold('               -(f|)', { f: [e2] });
      const f6subs = '  --------------^!';
      const f7 = cold('                -(g|)', { g: [] }); // long-poll answers [] at once
      const f7subs = '  ---------------^!';
      const f8 = cold('                         -'); // the look-back after it waits 9 too
      const f8subs = '  -------------------------^----!';
      const unsub = '   ------------------------------!';

      const { source, cursors } = scripted([f1, f2, f3, f4, f5, f6, f7, f8], { minIntervalMs: 10 });
      expectObservable(source.events$, unsub).toBe('-(12)', { 1: e1, 2: e2 });
      expectSubscriptions(f1.subscriptions).toBe(f1subs);
      expectSubscriptions(f2.subscriptions).toBe(f2subs);
      expectSubscriptions(f3.subscriptions).toBe(f3subs);
      expectSubscriptions(f4.subscriptions).toBe(f4subs);
      expectSubscriptions(f5.subscriptions).toBe(f5subs);
      expectSubscriptions(f6.subscriptions).toBe(f6subs);
      expectSubscriptions(f7.subscriptions).toBe(f7subs);
      expectSubscriptions(f8.subscriptions).toBe(f8subs);
      testScheduler.flush();
      expect(cursors).toEqual([undefined, 95, 100, 105, 95, 100, 105, 95]);
    });
  });

  it('ends a look-back read on an empty page, and on a server that ignores the cursor', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [e1, e2] });
      const f2 = cold('  ----(b|)', { b: [] }); // look back after 95: empty (events filtered out)
      const f3 = cold('      -(c|)', { c: [ev('3', 110)] }); // long-poll after 105
      const f4 = cold('       -(d|)', { d: [e1, e2, ev('3', 110)] }); // look back after 100
      const f5 = cold('        -(e|)', { e: [e1, e2, ev('3', 110)] }); // page after 105: the same again
      const f6 = cold('         -'); // a next page would not start later: long-poll
      const unsub = '   ----------!';

      const { source, cursors } = scripted([f1, f2, f3, f4, f5, f6]);
      expectObservable(source.events$, unsub).toBe('-(12)-3----', { 1: e1, 2: e2, 3: ev('3', 110) });
      testScheduler.flush();
      expect(cursors).toEqual([undefined, 95, 105, 100, 105, 110]);
    });
  });
});

describe('createLongPollSource: look-back delivers nothing twice across restarts', () => {
  it('after a daemon restart in the middle of a look-back', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const x = ev('x', 103);
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [e1, e2] });
      const f2 = cold('  --#', undefined, connReset); // look back after 95: connection drops
      const f3 = cold('              -(c|)', { c: [e1, x, e2] }); // retried after 10: same cursor
      const f3subs = '  -------------^!';
      const f4 = cold('               -(d|)', { d: [x, e2] });
      const f5 = cold('                -');
      const unsub = '   --------------------!';
      const expected = '-(12)---------x------';

      const { source, cursors } = scripted([f1, f2, f3, f4, f5]);
      expectObservable(source.events$, unsub).toBe(expected, { 1: e1, 2: e2, x });
      expectSubscriptions(f3.subscriptions).toBe(f3subs);
      testScheduler.flush();
      expect(cursors).toEqual([undefined, 95, 95, 103, 105]);
    });
  });

  it('after a refCount reset: the next subscriber continues the look-back, repeating nothing', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [e1, e2] });
      const f2 = cold('  ----', {}); // look back after 95: aborted, sub1 leaves
      const f2subs = '  -^-!';
      const f3 = cold('         -(c|)', { c: [e1, e2, ev('3', 106)] }); // sub2: same look-back
      const f3subs = '  --------^!';
      const f4 = cold('          -');
      const sub1 = '    ^--!';
      const sub2 = '    --------^----!';

      const { source, cursors } = scripted([f1, f2, f3, f4]);
      expectObservable(source.events$, sub1).toBe('-(12)', { 1: e1, 2: e2 });
      expectObservable(source.events$, sub2).toBe('---------3', { 3: ev('3', 106) });
      expectSubscriptions(f2.subscriptions).toBe(f2subs);
      expectSubscriptions(f3.subscriptions).toBe(f3subs);
      testScheduler.flush();
      expect(cursors).toEqual([undefined, 95, 95, 105]);
    });
  });

  it('for a new source started from a persisted cursor, and for events the server sends from before the window', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // the previous process delivered up to 105 and persisted source.cursor; this server rounds
      // afterTimestamp down to a multiple of 10, so it answers events at or before the cursor
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [e1, e2, ev('3', 112)] }); // long-poll after 105: 1 and 2 are old
      const f2 = cold('  -(b|)', { b: [e1, e2, ev('3', 112)] }); // look back after 105 (not 102)
      const f3 = cold('   -(c|)', { c: [ev('4', 125)] }); // long-poll after 112
      const f4 = cold('    -(d|)', { d: [e2, ev('3', 112), ev('4', 125)] }); // look back after 115
      const f5 = cold('     -');
      const unsub = '   -------!';

      const { source, cursors } = scripted([f1, f2, f3, f4, f5], { initialCursor: () => 105 });
      expectObservable(source.events$, unsub).toBe('-3-4---', { 3: ev('3', 112), 4: ev('4', 125) });
      testScheduler.flush();
      expect(cursors).toEqual([105, 105, 112, 115, 125]);
    });
  });
});

describe('createLongPollSource: look-back configuration', () => {
  it('refuses lookback without cursorOf, compareCursor and keyOf', () => {
    const fetchBatch = () => Promise.resolve([] as Ev[]);
    expect(() => createLongPollSource<Ev, number>({ fetchBatch, lookback: (c) => c - 1 })).toThrow(TypeError);
    expect(() =>
      createLongPollSource<Ev, number>({
        fetchBatch,
        lookback: (c) => c - 1,
        cursorOf: (e) => e.at,
        compareCursor: (a, b) => a - b,
      }),
    ).toThrow(/lookback needs cursorOf, compareCursor and keyOf/);
  });

  it('keeps the events a consumer left mid-batch while it looks back for the next', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const f1 = cold(' -(a|)', { a: [e1, e2] });
      const f2 = cold('     -');
      const f2subs = '  ----^-!';
      const sub2 = '    ----^-!';

      const { source, cursors } = scripted([f1, f2]);
      expectObservable(source.events$.pipe(take(1))).toBe('-(1|)', { 1: e1 });
      expectObservable(source.events$, sub2).toBe('----2', { 2: e2 });
      expectSubscriptions(f2.subscriptions).toBe(f2subs);
      testScheduler.flush();
      expect(cursors).toEqual([undefined, 95]);
    });
  });
});
