/**
 * ackTasks, the sink of natsTasks, apart from NATS: events pass through unchanged and in order
 * (marbles); the outcomes of leased tasks are settled once each, the stream completes only after
 * every settle, a settle that fails errors it, unsubscribing aborts the settles in flight.
 */
import { Subject, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent, TaskOutcome } from '../../src/engine/events.js';
import { Task } from '../../src/engine/Task.js';
import { ackTasks } from '../../src/jobs/ackTasks.js';
import { JobQueueError } from '../../src/jobs/errors/JobQueueError.js';
import { type TaskLease, leases } from '../../src/jobs/lease.js';

type Event = EngineEvent<number, number>;

let testScheduler: TestScheduler;
beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

const task = new Task<number, number>(1, { id: 'plain' });
const events: Record<string, Event> = {
  j: { type: 'jobStarted', maxWorkers: 1, budget: undefined, subnet: undefined },
  s: { type: 'taskStarted', task, providerId: 'p', activityId: 'a', attempt: 1 },
  f: { type: 'taskFinished', task, result: 2, providerId: 'p', attempt: 1 },
};

/** A lease that records what it is asked to settle, and settles when the test says. */
function fakeLease(target: Task<number, number>) {
  const settled: { outcome: TaskOutcome<unknown, unknown>; signal: AbortSignal }[] = [];
  const done = new Subject<void>();
  const lease = {
    settle: (outcome: TaskOutcome<unknown, unknown>, signal: AbortSignal) => {
      settled.push({ outcome, signal });
      return new Promise<void>((resolve, reject) => done.subscribe({ complete: resolve, error: reject }));
    },
  };
  leases.set(target, lease as unknown as TaskLease);
  return { settled, done };
}

describe('ackTasks (marbles)', () => {
  it('passes the events of tasks not from natsTasks through unchanged, and completes with them', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Event>('-j-s--f-|', events);
      expectObservable(source.pipe(ackTasks())).toBe('-j-s--f-|', events);
      expectSubscriptions(source.subscriptions).toBe('^-------!');
    });
  });

  it('errors with the source, and unsubscribes it when unsubscribed', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold<Event>('-j-#', events, new Error('engine failed'));
      expectObservable(failing.pipe(ackTasks())).toBe('-j-#', events, new Error('engine failed'));
      const endless = cold<Event>('-j-s---', events);
      expectObservable(endless.pipe(ackTasks()), '^---!').toBe('-j-s-', events);
      expectSubscriptions(endless.subscriptions).toBe('^---!');
    });
  });
});

describe('ackTasks with leases', () => {
  it('settles each outcome once, passes the events at once, and completes after the last settle', async () => {
    const leased = new Task<number, number>(3, { id: 'leased' });
    const { settled, done } = fakeLease(leased);
    const source = new Subject<Event>();
    const seen: Event[] = [];
    let completed = false;
    source.pipe(ackTasks()).subscribe({ next: (e) => seen.push(e), complete: () => (completed = true) });
    source.next({ type: 'taskStarted', task: leased, providerId: 'p', activityId: 'a', attempt: 1 });
    source.next({ type: 'taskFinished', task: leased, result: 6, providerId: 'p', attempt: 1 });
    source.complete();
    expect(seen.map((e) => e.type)).toEqual(['taskStarted', 'taskFinished']);
    expect(settled.map((s) => s.outcome.type)).toEqual(['taskFinished']);
    await Promise.resolve();
    expect(completed).toBe(false); // the result is not published and acked yet
    done.complete();
    await expect.poll(() => completed).toBe(true);
  });

  it('errors when a settle fails for good (a result that cannot be published)', async () => {
    const leased = new Task<number, number>(4, { id: 'doomed' });
    const { done } = fakeLease(leased);
    const source = new Subject<Event>();
    const result = lastValueFrom(source.pipe(ackTasks(), toArray()));
    source.next({ type: 'taskFailed', task: leased, providerId: 'p', attempts: 1, error: new Error('x') });
    const failure = new JobQueueError({ job: 'j', operation: 'publish', detail: 'the connection is closed' });
    done.error(failure);
    await expect(result).rejects.toBe(failure);
  });

  it('aborts the settles in flight when unsubscribed', () => {
    const leased = new Task<number, number>(5, { id: 'left' });
    const { settled } = fakeLease(leased);
    const source = new Subject<Event>();
    const subscription = source.pipe(ackTasks()).subscribe();
    source.next({ type: 'taskFinished', task: leased, result: 10, providerId: 'p', attempt: 1 });
    expect(settled[0]?.signal.aborted).toBe(false);
    subscription.unsubscribe();
    expect(settled[0]?.signal.aborted).toBe(true);
  });
});
