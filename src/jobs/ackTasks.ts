import { type MonoTypeOperatorFunction, Observable } from 'rxjs';
import type { EngineEvent } from '../engine/events.js';
import { leases } from './lease.js';
import { Stopped } from './natsOps.js';

/**
 * Settles the tasks of {@link natsTasks} on NATS as the engine reports their outcomes, and
 * passes every event on unchanged.
 *
 * <span class="informal">On `taskFinished` the result (through the source's `encode`) is published
 * to the job's results, then the task is acked: it leaves the queue. On `taskFailed` the task is
 * nak'd (handed out again at once, maybe to another process) when the job here stopped before it
 * finished (`JobStoppedError`), or when it failed here and the job's `maxDeliveries` allow another
 * delivery; else (`reject(…, { retry: false })`, expired, last delivery) its failure is published as
 * its outcome and it is acked. Each settled task frees a place for the source to pull the next.
 * Results are published at least once and deduplicated by task id (by the server within its
 * duplicate window, by the submitter always): a task finished twice (its first process died
 * before the ack) counts once. Events of tasks that do not come from `natsTasks` pass through
 * untouched.</span>
 *
 * ```text
 * source:   -S-F---X-d|       (F taskFinished: publish, ack · X taskFailed: nak or publish, ack)
 * result:   -S-F---X-d-|      (completes once every publish and ack is done)
 * ```
 *
 * The events pass at once; the stream completes after the source, once every task it saw settled.
 * Outages are waited out. Errors: the source's, and a {@link JobQueueError} when a result cannot be
 * published for good (the connection closed: the task is redelivered after its ack wait).
 * Unsubscribing hands every task being settled back (nak).
 *
 * @returns an operator over the job's engine events
 *
 * @example
 * ```ts
 * natsTasks(link, { job, decode }).pipe(executeTasks(node, worker, options), ackTasks(), taskResults());
 * ```
 *
 * @see {@link natsTasks}
 */
export function ackTasks<D, R>(): MonoTypeOperatorFunction<EngineEvent<D, R>> {
  return (source) =>
    new Observable<EngineEvent<D, R>>((subscriber) => {
      const controller = new AbortController();
      let settling = 0;
      let sourceDone = false;
      const maybeComplete = (): void => {
        if (sourceDone && settling === 0) subscriber.complete();
      };
      const subscription = source.subscribe({
        next: (event) => {
          if (event.type === 'taskFinished' || event.type === 'taskFailed') {
            const lease = leases.get(event.task);
            if (lease !== undefined) {
              settling++;
              lease.settle(event, controller.signal).then(
                () => {
                  settling--;
                  maybeComplete();
                },
                (error: unknown) => {
                  if (!(error instanceof Stopped)) subscriber.error(error);
                },
              );
            }
          }
          subscriber.next(event);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          maybeComplete();
        },
      });
      return () => {
        controller.abort();
        subscription.unsubscribe();
      };
    });
}
