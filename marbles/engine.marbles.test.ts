import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { runTaskEngine } from '../src/engine/core/runTaskEngine.js';
import type { EngineEvent } from '../src/engine/events.js';
import { Task } from '../src/engine/Task.js';
import {
  acceptAfter,
  fakeProvider,
  fakeWorker,
  record,
  specConfig,
} from '../test/engine/support/engineFakes.js';

const tasks = (...data: string[]) => data.map((d) => new Task<string, string>(d, { id: d }));
const values = (list: Task<string, string>[]) => Object.fromEntries(list.map((t) => [t.data, t]));

describe('runTaskEngine: the worker bound and the demand signal', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('rents at most maxWorkers and reuses each activity across tasks', () => {
    const log: string[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const [A, B, C] = ['A', 'B', 'C'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, [A!, B!, C!], { maxWorkers: 2 });
      const list = tasks('a', 'b', 'c', 'd');
      // prettier-ignore
      const e1 = cold('  (abcd|)', values(list));
      //                  A, B countered at 0 -d|  signed at 1 -g|  activity at 2 -a|
      const expected = ' ------|';
      expectObservable(record(runTaskEngine(e1, config), testScheduler, log)).toBe(expected);
      expectSubscriptions(A!.sign.subscriptions).toBe('-^!');
      expectSubscriptions(B!.sign.subscriptions).toBe('-^!');
      // C is countered when A's lease is released (A's activity handed to the core at 3), then
      // held: no agreement for no work.
      expectSubscriptions(C!.respond.subscriptions).toBe('---^!');
      expectSubscriptions(C!.sign.subscriptions).toBe([]);
    });
    expect(log).toEqual([
      '2: sign A',
      '2: sign B',
      '3: start a@A',
      '3: start b@B',
      '4: done a@A',
      '4: start c@A',
      '4: done b@B',
      '4: start d@B',
      '5: done c@A',
      '5: done d@B',
      '6: end A ok',
      '6: end B ok',
    ]);
    // four tasks, two agreements: each activity took two tasks
  });

  it('rents only as many workers as the remaining tasks need', () => {
    const log: string[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const [A, B, C] = ['A', 'B', 'C'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, [A!, B!, C!], { maxWorkers: 3 });
      // prettier-ignore
      const e1 = cold('  a|', values(tasks('a')));
      const expected = ' -----|';
      expectObservable(record(runTaskEngine(e1, config), testScheduler, log)).toBe(expected);
      expectSubscriptions(A!.sign.subscriptions).toBe('-^!');
      expectSubscriptions(B!.sign.subscriptions).toBe([]);
      expectSubscriptions(C!.sign.subscriptions).toBe([]);
    });
    expect(log).toEqual(['2: sign A', '3: start a@A', '4: done a@A', '5: end A ok']);
  });

  it('publishes no demand and signs no agreement while there is no task', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const [A] = ['A'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, [A!]);
      // prettier-ignore
      const e1 = hot<Task<string, string>>('  -----|');
      const e1subs = '  ^----!';
      const expected = '-----|';
      expectObservable(runTaskEngine(e1, config)).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(A!.respond.subscriptions).toBe([]);
      expect(config.rounds).toEqual([]);
    });
  });

  it('publishes the demand when the first task arrives, not before', () => {
    const log: string[] = [];
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const [A] = ['A'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, [A!]);
      // prettier-ignore
      const e1 = hot('  ---a|', values(tasks('a')));
      const expected = '--------|';
      expectObservable(record(runTaskEngine(e1, config), testScheduler, log)).toBe(expected);
      expectSubscriptions(A!.respond.subscriptions).toBe('---^!');
    });
    expect(log).toEqual(['5: sign A', '6: start a@A', '7: done a@A', '8: end A ok']);
  });

  it('holds an idle worker while the source is open, then releases it after idleTimeout', () => {
    const log: string[] = [];
    testScheduler.run(({ cold, hot, expectObservable }) => {
      const [A] = ['A'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, [A!], { idleTimeout: 10 });
      const list = tasks('a', 'b');
      // prettier-ignore
      const e1 = hot('  a-------b---------------------|', values(list));
      const expected = '------------------------------|';
      expectObservable(record(runTaskEngine(e1, config), testScheduler, log)).toBe(expected);
    });
    // b arrives while A idles: the same activity takes it. Then A idles 10 frames and is released;
    // the source completes later with nothing to do.
    expect(log).toEqual([
      '2: sign A',
      '3: start a@A',
      '4: done a@A',
      '8: start b@A',
      '9: done b@A',
      '20: end A ok',
    ]);
  });

  it('withdraws the demand when the job is done, dropping the drafts it held', () => {
    let rejected: readonly string[] = ['not read'];
    const all: Array<EngineEvent<string, string>> = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const [A, B] = ['A', 'B'].map((n) => fakeProvider(cold, n));
      const offers = cold('(ab)', { a: A!.offer, b: B!.offer });
      const config = specConfig(cold, testScheduler, [A!, B!], {
        maxWorkers: 1,
        offers: () => offers,
        work: fakeWorker(acceptAfter(cold, '--(r|)')),
      });
      const e1 = cold('a|', values(tasks('a')));
      expectObservable(record(runTaskEngine(e1, config), testScheduler, [], all)).toBe('------|');
      // B is countered when A's lease frees (its activity handed to the core at frame 3) and its
      // draft held from frame 4; never signed.
      expectSubscriptions(B!.respond.subscriptions).toBe('---^!');
      expectSubscriptions(B!.sign.subscriptions).toBe([]);
      // the demand is withdrawn when the last task is done (frame 5), which ends B's negotiation
      expectSubscriptions(offers.subscriptions).toBe('^----!');
      rejected = B!.draft.rejectCalls;
    });
    expect(rejected).toEqual([]);
    expect(
      all.filter((e) => e.type === 'proposalRejected').map((e) => e.type === 'proposalRejected' && e.reason),
    ).toEqual(['draft']);
  });

  it('releases idle workers at once while one task hangs elsewhere', () => {
    const log: string[] = [];
    testScheduler.run(({ cold, hot, expectObservable }) => {
      const [A, B] = ['A', 'B'].map((n) => fakeProvider(cold, n));
      const work = fakeWorker((task, activity) =>
        task.data === 'a' ? cold('-') : acceptAfter(cold)(task, activity),
      );
      const config = specConfig(cold, testScheduler, [A!, B!], {
        maxWorkers: 2,
        work,
        stop$: hot('--------------------s', { s: 'aborted' as const }),
      });
      const e1 = cold('(ab|)', values(tasks('a', 'b')));
      expectObservable(record(runTaskEngine(e1, config), testScheduler, log)).toBe('---------------------|');
    });
    // B is done with b at 4 and released (terminated at 5), not kept billing until a ends
    expect(log).toEqual([
      '2: sign A',
      '2: sign B',
      '3: start a@A',
      '3: start b@B',
      '4: done b@B',
      '5: end B ok',
      '20: fail a',
      '21: end A failed',
    ]);
  });

  it('unsubscribed, stops its worker and releases it with code Cancelled', () => {
    const log: string[] = [];
    let releases: Array<{ activityId: string; outcome: { code: string } }> = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const [A] = ['A'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, [A!], {
        work: (_activity, feed) => feed.tasks$, // takes tasks and never settles them
      });
      releases = config.releases;
      const e1 = cold('a|', values(tasks('a')));
      const unsub = '   -----!';
      expectObservable(record(runTaskEngine(e1, config), testScheduler, log), unsub).toBe('------');
    });
    expect(log).toEqual(['2: sign A', '3: start a@A']);
    expect(releases.map((r) => r.outcome.code)).toEqual(['Cancelled']);
  });
});
