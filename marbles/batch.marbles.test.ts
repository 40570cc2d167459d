import { type Observable, concatMap, map, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExeScriptCommandDto, ExeScriptCommandResultDto } from '../src/api/types/index.js';
import { BatchError } from '../src/resources/errors/BatchError.js';
import { YagnaNotFoundError } from '../src/api/errors/YagnaNotFoundError.js';
import { YagnaTimeoutError } from '../src/api/errors/YagnaTimeoutError.js';
import { GolemNode } from '../src/node/GolemNode.js';
import type { NodeApi } from '../src/resources/NodeApi.js';
import { commandResult } from '../test/resources/support/fixtures.js';
import { stubApi } from '../test/resources/support/stubApi.js';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

const script: ExeScriptCommandDto[] = [
  { deploy: {} },
  { start: {} },
  { run: { entry_point: '/bin/sh', args: ['-c', 'echo hi'] } },
];
const notYet = new YagnaTimeoutError('Timeout', { status: 408 });

type Polls = Record<number, Observable<ExeScriptCommandResultDto[]>[]>;

/**
 * An api whose `exec` answers `batch-1`, whose results poll answers from `polls[commandIndex]`, in
 * order, and whose `destroyActivity` answers `destroy`.
 */
function apiWith(cold: TestScheduler['createColdObservable'], polls: Polls, destroy?: Observable<unknown>) {
  const calls: (number | undefined)[] = [];
  const api: NodeApi = stubApi({
    activity: {
      exec: () => cold('(b|)', { b: 'batch-1' }),
      getExecBatchResults: (_activityId, _batchId, params) => {
        calls.push(params?.commandIndex);
        const next = polls[params?.commandIndex ?? -1]?.shift();
        if (next === undefined)
          throw new Error(`no poll scripted for command ${String(params?.commandIndex)}`);
        return next;
      },
      destroyActivity: () => {
        if (destroy === undefined) throw new Error('no destroyActivity scripted');
        return destroy;
      },
    },
  });
  return { api, calls };
}

function activityOn(api: NodeApi) {
  const node = new GolemNode({ api, scheduler: testScheduler, minPollIntervalMs: 0, random: () => 0 });
  return node.activity('act-1', 'agr-1');
}

describe('batch.results$', () => {
  it('emits each command\u2019s result as it finishes (408 = not yet) and completes after the last', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const r0 = commandResult(0, 'Ok', 'deployed');
      const r1 = commandResult(1);
      const r2 = commandResult(2, 'Ok', 'hi\n');
      const { api, calls } = apiWith(cold, {
        // prettier-ignore
        0: [cold('-(r|)', { r: [r0] })],
        1: [cold('  --#', undefined, notYet), cold('-(r|)', { r: [r0, r1] })],
        2: [cold('  -(r|)', { r: [r0, r1, r2] })],
      });
      const expected = '-a--b(c|)';
      const results$ = activityOn(api)
        .exec(script)
        .pipe(concatMap((batch) => batch.results$));
      expectObservable(results$).toBe(expected, { a: r0, b: r1, c: r2 });
      testScheduler.flush();
      expect(calls).toEqual([0, 1, 1, 2]);
    });
  });

  it('errors with BatchError naming the failed command, after the results before it', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const r0 = commandResult(0);
      const r1 = commandResult(1, 'Error');
      const { api } = apiWith(cold, {
        // prettier-ignore
        0: [cold('-(r|)', { r: [r0] })],
        1: [cold(' --(r|)', { r: [r0, r1] })],
      });
      const expected = '-a-#';
      const error = new BatchError({
        activityId: 'act-1',
        batchId: 'batch-1',
        commandIndex: 1,
        command: 'start',
        message: 'exit code 1',
        stderr: 'boom',
      });
      const results$ = activityOn(api)
        .exec(script)
        .pipe(concatMap((batch) => batch.results$));
      expectObservable(results$).toBe(expected, { a: r0 }, error);
    });
  });

  it('replays the results and the outcome to a subscriber that comes after the end, without polling', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const results = [commandResult(0), commandResult(1), commandResult(2)];
      const { api, calls } = apiWith(cold, {
        // prettier-ignore
        0: [cold('-(r|)', { r: results.slice(0, 1) })],
        1: [cold(' -(r|)', { r: results.slice(0, 2) })],
        2: [cold('  -(r|)', { r: results })],
      });
      const activity = activityOn(api);
      activity.exec(script).subscribe((batch) => {
        batch.results$.subscribe();
        testScheduler.schedule(() => {
          expectObservable(batch.results$.pipe(map((r) => r.index))).toBe('----(abc|)', { a: 0, b: 1, c: 2 });
        }, 4);
      });
      testScheduler.flush();
      expect(calls).toEqual([0, 1, 2]);
      expect(activity.batches[0]?.done).toBe(true);
      expect(activity.batches[0]?.closed).toBe(true);
      expect(activity.batches[0]?.data).toEqual(results);
    });
  });

  it('aborts the poll in flight when the last subscriber leaves, and resumes from the next command', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const r0 = commandResult(0);
      const r1 = commandResult(1);
      const r2 = commandResult(2);
      // prettier-ignore
      const first = cold('-(r|)', { r: [r0] });
      const second = cold<ExeScriptCommandResultDto[]>(' ----');
      const third = cold('      -(r|)', { r: [r0, r1] });
      const fourth = cold('      -(r|)', { r: [r0, r1, r2] });
      const { api, calls } = apiWith(cold, { 0: [first], 1: [second, third], 2: [fourth] });
      const activity = activityOn(api);
      const batch = activity.node.batch('batch-1', activity, script);
      expectObservable(batch.results$.pipe(map((r) => r.index)), '^--!').toBe('-a-', { a: 0 });
      expectObservable(batch.results$.pipe(map((r) => r.index)), '-----^').toBe('-----ab(c|)', {
        a: 0,
        b: 1,
        c: 2,
      });
      expectSubscriptions(second.subscriptions).toBe('-^-!');
      testScheduler.flush();
      expect(calls).toEqual([0, 1, 1, 2]);
    });
  });

  it('errors when the batch is gone (404) instead of hanging', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const gone = new YagnaNotFoundError('batch not found', { status: 404 });
      const { api } = apiWith(cold, { 0: [cold('-#', undefined, gone)] });
      const results$ = activityOn(api)
        .exec(script)
        .pipe(concatMap((batch) => batch.results$));
      expectObservable(results$).toBe('-#', undefined, gone);
    });
  });
});

/**
 * What `node.close()` does first to every open batch (`batch.abandon()`); `close()` itself gets
 * there after a Promise tick, outside virtual time (test/shutdown/batchClose.test.ts runs it).
 */
function closeNode(activity: ReturnType<typeof activityOn>): void {
  for (const batch of activity.batches) batch.abandon();
}

describe('batch.results$ when something closes mid-batch', () => {
  const stoppedAt = (reason: 'nodeClosed' | 'activityClosed', commandIndex: number, command: string) =>
    new BatchError({ reason, activityId: 'act-1', batchId: 'batch-1', commandIndex, command });

  it('errors with BatchError nodeClosed at the unfinished command when the node closes, and aborts the poll', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const r0 = commandResult(0);
      // prettier-ignore
      const first = cold('-(r|)', { r: [r0] });
      const second = cold<ExeScriptCommandResultDto[]>(' -------');
      const expected = '   -a--#';
      const { api } = apiWith(cold, { 0: [first], 1: [second] });
      const activity = activityOn(api);
      const results$ = activity.exec(script).pipe(concatMap((batch) => batch.results$));
      testScheduler.schedule(() => closeNode(activity), 4);
      expectObservable(results$).toBe(expected, { a: r0 }, stoppedAt('nodeClosed', 1, 'start'));
      expectSubscriptions(second.subscriptions).toBe('-^--!');
      testScheduler.flush();
      expect(activity.batches[0]?.closed).toBe(true);
      expect(activity.batches[0]?.done).toBe(true);
    });
  });

  it('toArray errors instead of emitting [] and a late subscriber gets the results, then the error, without polling', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const r0 = commandResult(0);
      // prettier-ignore
      const { api, calls } = apiWith(cold, {
        0: [cold('-(r|)', { r: [r0] })],
        1: [cold(' -------')],
      });
      const activity = activityOn(api);
      const batch = activity.node.batch('batch-1', activity, script);
      const error = stoppedAt('nodeClosed', 1, 'start');
      expectObservable(batch.results$.pipe(toArray())).toBe('----#', undefined, error);
      testScheduler.schedule(() => closeNode(activity), 4);
      expectObservable(batch.results$, '------^').toBe('------(a#)', { a: r0 }, error);
      testScheduler.flush();
      expect(calls).toEqual([0, 1]);
    });
  });

  it('errors with BatchError nodeClosed for a batch nobody followed yet', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const { api, calls } = apiWith(cold, {});
      const activity = activityOn(api);
      const batch = activity.node.batch('batch-1', activity, script);
      closeNode(activity);
      expectObservable(batch.results$).toBe('#', undefined, stoppedAt('nodeClosed', 0, 'deploy'));
      testScheduler.flush();
      expect(calls).toEqual([]);
    });
  });

  it('errors with BatchError activityClosed when the activity is destroyed mid-batch, and aborts the poll', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const r0 = commandResult(0);
      const r1 = commandResult(1);
      // prettier-ignore
      const first = cold('-(r|)', { r: [r0] });
      const second = cold(' -(r|)', { r: [r0, r1] });
      const third = cold<ExeScriptCommandResultDto[]>('  -------');
      const destroy = cold('     --|'); // destroyActivity, from frame 4
      const expected = '   -ab---#';
      const { api } = apiWith(cold, { 0: [first], 1: [second], 2: [third] }, destroy);
      const activity = activityOn(api);
      const results$ = activity.exec(script).pipe(concatMap((batch) => batch.results$));
      testScheduler.schedule(() => activity.destroy().subscribe(), 4);
      expectObservable(results$).toBe(expected, { a: r0, b: r1 }, stoppedAt('activityClosed', 2, 'run'));
      expectSubscriptions(third.subscriptions).toBe('--^---!');
    });
  });

  it('errors with BatchError activityClosed at once when the activity had closed before anyone followed', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const { api, calls } = apiWith(cold, {});
      const activity = activityOn(api);
      const batch = activity.node.batch('batch-1', activity, script);
      activity.markClosed();
      expectObservable(batch.results$).toBe('#', undefined, stoppedAt('activityClosed', 0, 'deploy'));
      testScheduler.flush();
      expect(calls).toEqual([]);
    });
  });
});
