import type { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExeScriptCommandResultDto } from '../src/api/types/index.js';
import { BatchError } from '../src/resources/errors/BatchError.js';
import { GolemNode } from '../src/node/GolemNode.js';
import type { NodeApi } from '../src/resources/NodeApi.js';
import { commandResult } from '../test/resources/support/fixtures.js';
import { stubApi } from '../test/resources/support/stubApi.js';

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

/** An api whose `exec` answers `batch-1` and whose results polls answer `polls`, in order. */
function apiWith(
  cold: TestScheduler['createColdObservable'],
  polls: Observable<ExeScriptCommandResultDto[]>[],
) {
  const calls: { commandIndex: number | undefined; timeout: number | undefined }[] = [];
  const api: NodeApi = stubApi({
    activity: {
      exec: () => cold('(b|)', { b: 'batch-1' }),
      getExecBatchResults: (_activityId, _batchId, params) => {
        calls.push({ commandIndex: params?.commandIndex, timeout: params?.timeout });
        const next = polls.shift();
        if (next === undefined) throw new Error('a results poll nobody scripted');
        return next;
      },
    },
  });
  return { api, calls };
}

function activityOn(api: NodeApi) {
  const node = new GolemNode({ api, scheduler: testScheduler, minPollIntervalMs: 0, random: () => 0 });
  return node.activity('act-1', 'agr-1');
}

const running = (index: number): ExeScriptCommandResultDto => ({
  ...commandResult(index),
  isBatchFinished: false,
});

describe('activity.deployAndStart', () => {
  it('waits for the end of the batch in one results poll (no commandIndex), not one per command', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const { api, calls } = apiWith(cold, [cold('---(r|)', { r: [running(0), commandResult(1)] })]);
      expectObservable(activityOn(api).deployAndStart()).toBe('---|');
      testScheduler.flush();
      expect(calls).toEqual([{ commandIndex: undefined, timeout: 5 }]);
    });
  });

  it('polls again after a partial answer (the poll timed out with deploy done) and takes what is new', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const { api, calls } = apiWith(cold, [
        cold('--(r|)', { r: [running(0)] }),
        cold('  --(r|)', { r: [running(0), commandResult(1)] }),
      ]);
      expectObservable(activityOn(api).deployAndStart()).toBe('----|');
      testScheduler.flush();
      expect(calls).toHaveLength(2);
    });
  });

  it('errors with BatchError naming the failed command when the batch stopped at it', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const { api } = apiWith(cold, [cold('--(r|)', { r: [commandResult(0, 'Error')] })]);
      const error = new BatchError({
        activityId: 'act-1',
        batchId: 'batch-1',
        commandIndex: 0,
        command: 'deploy',
        message: 'exit code 1',
        stderr: 'boom',
      });
      expectObservable(activityOn(api).deployAndStart()).toBe('--#', undefined, error);
    });
  });
});
