import { EMPTY, defer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { alongside } from '../src/rx/alongside.js';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

describe('alongside', () => {
  it('mirrors main$ and keeps background$ subscribed until main$ completes', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const main = cold('--a--b--|');
      const mainsubs = ' ^-------!';
      const bg = cold('  ----x-----y--');
      const bgsubs = '   ^-------!';
      const expected = ' --a--b--|';

      expectObservable(alongside(main, bg)).toBe(expected);
      expectSubscriptions(main.subscriptions).toBe(mainsubs);
      expectSubscriptions(bg.subscriptions).toBe(bgsubs);
    });
  });

  it("forwards background$'s error and unsubscribes main$", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const main = cold('--a-----b|');
      const mainsubs = ' ^--!';
      const bg = cold('  ---#', undefined, new Error('poll failed'));
      const bgsubs = '   ^--!';
      const expected = ' --a#';

      expectObservable(alongside(main, bg)).toBe(expected, undefined, new Error('poll failed'));
      expectSubscriptions(main.subscriptions).toBe(mainsubs);
      expectSubscriptions(bg.subscriptions).toBe(bgsubs);
    });
  });

  it("forwards main$'s error and unsubscribes background$", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const main = cold('--a-#');
      const bg = cold('  -------');
      const bgsubs = '   ^---!';
      const expected = ' --a-#';

      expectObservable(alongside(main, bg)).toBe(expected);
      expectSubscriptions(bg.subscriptions).toBe(bgsubs);
    });
  });

  it("ignores background$'s completion", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const main = cold('--a---b--|');
      const bg = cold('  -|');
      const bgsubs = '   ^!';
      const expected = ' --a---b--|';

      expectObservable(alongside(main, bg)).toBe(expected);
      expectSubscriptions(bg.subscriptions).toBe(bgsubs);
    });
  });

  it('does not start background$ when main$ ends as it is subscribed (EMPTY)', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const bg = cold('  --x--');
      const expected = ' |';

      expectObservable(alongside(EMPTY, bg)).toBe(expected);
      expectSubscriptions(bg.subscriptions).toBe([]);
    });
  });

  it('runs forever with a never main$, until unsubscribed: both are unsubscribed then', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      // prettier-ignore
      const main = cold('-');
      const mainsubs = ' ^---!';
      const bg = cold('  --x--');
      const bgsubs = '   ^---!';
      const unsub = '    ----!';

      expectObservable(alongside(main, bg), unsub).toBe('-----');
      expectSubscriptions(main.subscriptions).toBe(mainsubs);
      expectSubscriptions(bg.subscriptions).toBe(bgsubs);
    });
  });

  it('subscribes main$ before background$ (a background that feeds main$ finds it listening)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const order: string[] = [];
      // prettier-ignore
      const main = defer(() => (order.push('main'), cold('--a|')));
      const bg = defer(() => (order.push('background'), cold('-----')));

      expectObservable(alongside(main, bg)).toBe('--a|');
      testScheduler.flush();
      expect(order).toEqual(['main', 'background']);
    });
  });
});
