import { lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ActivityLike } from '../../src/engine/context/execute.js';
import { runTaskEngine } from '../../src/engine/core/runTaskEngine.js';
import { Task } from '../../src/engine/Task.js';
import { WorkerRunner } from '../../src/engine/worker.js';
import { isTaskStateError } from '../../src/engine/errors/TaskStateError.js';
import { isTaskTimeoutError } from '../../src/engine/errors/TaskTimeoutError.js';
import { StorageServer } from '../../src/storage/StorageServer.js';
import {
  fakeActivity,
  fakeAgreement,
  fakeDraftProposal,
  fakeOfferProposal,
} from '../../src/testing/fakes.js';
import { asyncScheduler } from 'rxjs';

describe('Task', () => {
  it('checks its options and names itself', () => {
    expect(() => new Task(1, { timeout: 0 })).toThrow(RangeError);
    const a = new Task(1);
    const b = new Task(2);
    expect(a.id).not.toBe(b.id);
    expect(new Task(3, { expires: new Date(5_000) }).expires).toBe(5_000);
    expect(a.state).toBe('pending');
    expect(a.attempts).toBe(0);
  });

  it('refuses accept and reject while it is not running on a worker', () => {
    const task = new Task<number, number>(1, { id: 'x' });
    expect(() => task.accept(2)).toThrow(expect.objectContaining({ name: 'TaskStateError', taskId: 'x' }));
    let error: unknown;
    try {
      task.reject('nope');
    } catch (e: unknown) {
      error = e;
    }
    expect(isTaskStateError(error) && error.operation).toBe('reject');
  });
});

/** A provider whose every call answers at once. */
function provider(name: string) {
  const agreement = fakeAgreement({
    id: `agr-${name}`,
    providerId: name,
    createActivity: () => of(activity),
  });
  const activity = fakeActivity({ id: `act-${name}`, agreement });
  const draft = fakeDraftProposal({ id: `d-${name}`, providerId: name, createAgreement: of(agreement) });
  return fakeOfferProposal({ id: `o-${name}`, providerId: name, respond: of(draft) });
}

describe('a worker the engine stopped (a zombie)', () => {
  it('cannot settle the task it held once the task runs elsewhere', async () => {
    const storage = new StorageServer();
    const zombieCalls: unknown[] = [];
    let bHasIt!: () => void;
    const bStarted = new Promise<void>((resolve) => (bHasIt = resolve));
    let zombieDone!: () => void;
    const zombieTried = new Promise<void>((resolve) => (zombieDone = resolve));
    const runner = new WorkerRunner<number, string>(
      async (ctx, tasks) => {
        for await (const task of tasks) {
          if (ctx.activity.id === 'act-A') {
            // hangs past the task's timeout; once the task runs on B, tries to accept it anyway
            await bStarted;
            try {
              task.accept('stale');
            } catch (error: unknown) {
              zombieCalls.push(error);
            }
            zombieDone();
            return;
          }
          bHasIt();
          await zombieTried;
          task.accept('fresh');
        }
      },
      storage,
      asyncScheduler,
    );
    const task = new Task<number, string>(1, { id: 't', timeout: 50 });
    const events = await lastValueFrom(
      runTaskEngine(of(task), {
        maxWorkers: 1,
        maxAttempts: 3,
        excludeAfter: 3,
        idleTimeout: 1_000,
        refreshInterval: 1_000,
        barrenRounds: 2,
        scheduler: asyncScheduler,
        offers: () => of(provider('A'), provider('B')),
        work: (activity, feed) => runner.run(activity as unknown as ActivityLike, feed),
        isCaller: (feed) => runner.isCaller(feed),
        release: () => of(undefined),
      }).pipe(toArray()),
    );
    await storage.close();
    const outcomes = events.filter((e) => e.type === 'taskFinished' || e.type === 'taskFailed');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.type === 'taskFinished' && outcomes[0].result).toBe('fresh');
    const retried = events.find((e) => e.type === 'taskRetried');
    expect(retried?.type === 'taskRetried' && isTaskTimeoutError(retried.error)).toBe(true);
    expect(zombieCalls).toHaveLength(1);
    expect(isTaskStateError(zombieCalls[0])).toBe(true);
    expect(task.providers).toEqual(['A', 'B']);
  });
});
