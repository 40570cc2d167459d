import { Subject, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { runTaskEngine } from '../src/engine/core/runTaskEngine.js';
import type { EngineEvent } from '../src/engine/events.js';
import { Task } from '../src/engine/Task.js';
import { isJobStoppedError } from '../src/engine/errors/JobStoppedError.js';
import { isNoEligibleProviderError } from '../src/engine/errors/NoEligibleProviderError.js';
import { isTaskExpiredError } from '../src/engine/errors/TaskExpiredError.js';
import { isTaskRejectedError } from '../src/engine/errors/TaskRejectedError.js';
import { isTaskTimeoutError } from '../src/engine/errors/TaskTimeoutError.js';
import { isWorkerFailedError } from '../src/engine/errors/WorkerFailedError.js';
import {
  type FakeJob,
  acceptAfter,
  fakeProvider,
  fakeWorker,
  record,
  specConfig,
} from '../test/engine/support/engineFakes.js';

type Cold = Parameters<Parameters<TestScheduler['run']>[0]>[0]['cold'];

const tasks = (...data: string[]) => data.map((d) => new Task<string, string>(d, { id: d }));
const values = (list: Task<string, string>[]) => Object.fromEntries(list.map((t) => [t.data, t]));

/** Rejects (after a frame) on the providers in `bad`, accepts elsewhere. */
const rejectOn = (cold: Cold, bad: string[], retry = true) =>
  fakeWorker((task, activity) =>
    bad.includes(activity.agreement.providerId)
      ? cold('-(r|)').pipe(tap(() => task.reject('bad result', { retry })))
      : acceptAfter(cold)(task, activity),
  );

/** Throws (after a frame) on the providers in `bad`, accepts elsewhere after `marble`. */
const throwOn =
  (cold: Cold, bad: string[], marble?: string): FakeJob =>
  (task, activity) =>
    bad.includes(activity.agreement.providerId)
      ? cold('-#', undefined, new Error('boom'))
      : acceptAfter(cold, marble)(task, activity);

describe('runTaskEngine: retries, exclusion and failures', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('retries a rejected task on another provider, releasing the one that cannot take it', () => {
    const log: string[] = [];
    const task = tasks('a')[0]!;
    testScheduler.run(({ cold, expectObservable }) => {
      const [A, B] = ['A', 'B'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, [A!, B!], {
        maxWorkers: 1,
        work: rejectOn(cold, ['A']),
      });
      const e1 = cold('a|', { a: task });
      expectObservable(record(runTaskEngine(e1, config), testScheduler, log)).toBe('--------|');
    });
    expect(log).toEqual([
      '2: sign A',
      '3: start a@A',
      '4: retry a@A',
      '5: end A ok', // A returned normally: code Success
      '5: sign B', // B's draft was held since frame 3
      '6: start a@B',
      '7: done a@B',
      '8: end B ok',
    ]);
    expect(task.providers).toEqual(['A', 'B']);
    expect(task.state).toBe('done');
    expect(task.result).toBe('a@B');
  });

  it('caps attempts at maxAttempts, each on a different provider, and reports the failure', () => {
    const log: string[] = [];
    const all: Array<EngineEvent<string, string>> = [];
    const task = tasks('a')[0]!;
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const providers = ['A', 'B', 'C', 'D'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, providers, {
        maxWorkers: 1,
        work: rejectOn(cold, ['A', 'B', 'C', 'D']),
      });
      expectObservable(record(runTaskEngine(cold('a|', { a: task }), config), testScheduler, log, all)).toBe(
        '-----------|',
      );
      expectSubscriptions(providers[3]!.sign.subscriptions).toBe([]);
    });
    expect(log).toEqual([
      '2: sign A',
      '3: start a@A',
      '4: retry a@A',
      '5: end A ok',
      '5: sign B',
      '6: start a@B',
      '7: retry a@B',
      '8: end B ok',
      '8: sign C',
      '9: start a@C',
      '10: fail a',
      '11: end C ok',
    ]);
    expect(task.providers).toEqual(['A', 'B', 'C']);
    const failed = all.find((e) => e.type === 'taskFailed');
    expect(failed?.type === 'taskFailed' && isTaskRejectedError(failed.error) && failed.attempts).toBe(3);
  });

  it('re-queues the task of a worker that throws and terminates its agreement with a failure code', () => {
    const log: string[] = [];
    let releases: Array<{ activityId: string; outcome: { code: string } }> = [];
    const all: Array<EngineEvent<string, string>> = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const [A, B] = ['A', 'B'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, [A!, B!], {
        maxWorkers: 1,
        work: fakeWorker(throwOn(cold, ['A'])),
      });
      releases = config.releases;
      const e1 = cold('a|', values(tasks('a')));
      expectObservable(record(runTaskEngine(e1, config), testScheduler, log, all)).toBe('--------|');
    });
    expect(log).toEqual([
      '2: sign A',
      '3: start a@A',
      '4: retry a@A',
      '5: end A failed',
      '5: sign B',
      '6: start a@B',
      '7: done a@B',
      '8: end B ok',
    ]);
    expect(releases.map((r) => `${r.activityId} ${r.outcome.code}`)).toEqual([
      'act-A Failure',
      'act-B Success',
    ]);
    const retried = all.find((e) => e.type === 'taskRetried');
    expect(
      retried?.type === 'taskRetried' && isWorkerFailedError(retried.error) && retried.error.failure,
    ).toBe('threw');
  });

  it('excludes a provider that fails excludeAfter times in a row', () => {
    const log: string[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const [A, B] = ['A', 'B'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, [A!, B!], {
        maxWorkers: 2,
        excludeAfter: 2,
        work: fakeWorker(throwOn(cold, ['A'], '---(r|)')),
      });
      const e1 = cold('(abcdef|)', values(tasks('a', 'b', 'c', 'd', 'e', 'f')));
      expectObservable(record(runTaskEngine(e1, config), testScheduler, log)).toBe('----------------------|');
      // A signed twice: in round 1, and again in round 2 (frame 10) for tasks it had not failed.
      expectSubscriptions(A!.sign.subscriptions).toBe(['-^!', '-----------^!']);
    });
    expect(log).toEqual([
      '2: sign A',
      '2: sign B',
      '3: start a@A',
      '3: start b@B',
      '4: retry a@A',
      '5: end A failed',
      '6: done b@B',
      '6: start a@B',
      '9: done a@B',
      '9: start c@B',
      '12: done c@B',
      '12: start d@B',
      '12: sign A',
      '13: start e@A',
      '14: retry e@A',
      '14: exclude A',
      '15: done d@B',
      '15: start e@B',
      '15: end A failed',
      '18: done e@B',
      '18: start f@B',
      '21: done f@B',
      '22: end B ok',
    ]);
  });

  it('stops a worker whose task times out and retries the task elsewhere', () => {
    const log: string[] = [];
    const all: Array<EngineEvent<string, string>> = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const [A, B] = ['A', 'B'].map((n) => fakeProvider(cold, n));
      const hang = cold('-');
      const work = fakeWorker((task, activity) =>
        activity.agreement.providerId === 'A' ? hang : acceptAfter(cold)(task, activity),
      );
      const config = specConfig(cold, testScheduler, [A!, B!], { maxWorkers: 1, work });
      const e1 = cold('a|', { a: new Task<string, string>('a', { id: 'a', timeout: 5 }) });
      expectObservable(record(runTaskEngine(e1, config), testScheduler, log, all)).toBe('------------|');
      expectSubscriptions(hang.subscriptions).toBe('---^----!');
    });
    expect(log).toEqual([
      '2: sign A',
      '3: start a@A',
      '8: retry a@A',
      '9: end A failed',
      '9: sign B',
      '10: start a@B',
      '11: done a@B',
      '12: end B ok',
    ]);
    const retried = all.find((e) => e.type === 'taskRetried');
    expect(retried?.type === 'taskRetried' && isTaskTimeoutError(retried.error)).toBe(true);
  });

  it('fails a task rejected without retry, at once and without blaming the provider', () => {
    const log: string[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const [A, B] = ['A', 'B'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, [A!, B!], {
        maxWorkers: 1,
        excludeAfter: 1,
        work: rejectOn(cold, ['A'], false),
      });
      const e1 = cold('(ab|)', values(tasks('a', 'b')));
      expectObservable(record(runTaskEngine(e1, config), testScheduler, log)).toBe('------|');
    });
    expect(log).toEqual([
      '2: sign A',
      '3: start a@A',
      '4: fail a',
      '4: start b@A',
      '5: fail b',
      '6: end A ok',
    ]);
  });

  it('fails what is left when stopped and releases the worker with code Cancelled', () => {
    const log: string[] = [];
    const all: Array<EngineEvent<string, string>> = [];
    let releases: Array<{ activityId: string; outcome: { code: string } }> = [];
    testScheduler.run(({ cold, hot, expectObservable }) => {
      const [A] = ['A'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, [A!], {
        maxWorkers: 1,
        work: (_activity, feed) => feed.tasks$,
        stop$: hot('-----s', { s: 'aborted' as const }),
      });
      releases = config.releases;
      const e1 = cold('(ab)', values(tasks('a', 'b'))); // never completes: stopping unsubscribes it
      expectObservable(record(runTaskEngine(e1, config), testScheduler, log, all)).toBe('------|');
    });
    expect(log).toEqual(['2: sign A', '3: start a@A', '5: fail b', '5: fail a', '6: end A failed']);
    expect(releases.map((r) => r.outcome.code)).toEqual(['Cancelled']);
    expect(
      all
        .filter((e) => e.type === 'taskFailed')
        .every((e) => e.type === 'taskFailed' && isJobStoppedError(e.error)),
    ).toBe(true);
  });

  it('a stop from inside a taskFinished handler fails only the tasks not done (each outcome once)', () => {
    const all: Array<EngineEvent<string, string>> = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const [A] = ['A'].map((n) => fakeProvider(cold, n));
      const stop = new Subject<'aborted'>();
      const config = specConfig(cold, testScheduler, [A!], { maxWorkers: 1, stop$: stop });
      const events$ = runTaskEngine(cold('(ab|)', values(tasks('a', 'b'))), config).pipe(
        tap((e) => {
          if (e.type === 'taskFinished') stop.next('aborted');
        }),
      );
      expectObservable(record(events$, testScheduler, [], all)).toBe('-----|');
    });
    const outcomes = all.filter((e) => e.type === 'taskFinished' || e.type === 'taskFailed');
    // (the stop runs inside the handler of a's event, so b's failure reaches `record` first)
    expect(outcomes.map((e) => `${e.type} ${e.task.id}`).sort()).toEqual(['taskFailed b', 'taskFinished a']);
  });

  it('fails a task at its expiry', () => {
    const all: Array<EngineEvent<string, string>> = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const [A] = ['A'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, [A!], { offers: () => cold('-') });
      const e1 = cold('a|', { a: new Task<string, string>('a', { id: 'a', expires: 3 }) });
      expectObservable(record(runTaskEngine(e1, config), testScheduler, [], all)).toBe('---|');
    });
    const failed = all.find((e) => e.type === 'taskFailed');
    expect(failed?.type === 'taskFailed' && isTaskExpiredError(failed.error)).toBe(true);
  });

  it('fails a task no provider can take after barrenRounds fresh rounds', () => {
    const log: string[] = [];
    const all: Array<EngineEvent<string, string>> = [];
    let rounds: number[] = [];
    let rejected: readonly string[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const [A] = ['A'].map((n) => fakeProvider(cold, n));
      const config = specConfig(cold, testScheduler, [A!], { maxWorkers: 1, work: rejectOn(cold, ['A']) });
      rounds = config.rounds;
      rejected = A!.draft.rejectCalls;
      expectObservable(
        record(runTaskEngine(cold('a|', values(tasks('a'))), config), testScheduler, log, all),
      ).toBe('------------------------------|');
    });
    // round 1 used A; rounds 2 (frame 10) and 3 (frame 20) offered only A, which the task failed on.
    expect(rounds).toEqual([1, 2, 3]);
    expect(log).toEqual(['2: sign A', '3: start a@A', '4: retry a@A', '5: end A ok', '30: fail a']);
    // A's drafts of rounds 2 and 3 were of no use to the task: rejected, freeing negotiate's slot
    expect(rejected).toEqual(['No task needs this provider now', 'No task needs this provider now']);
    const failed = all.find((e) => e.type === 'taskFailed');
    expect(failed?.type === 'taskFailed' && isNoEligibleProviderError(failed.error)).toBe(true);
  });
});
