import { Observable } from 'rxjs';
import type { Task } from '../engine/Task.js';
import type { NatsLink } from '../nats/connect.js';
import { Stopped, queueError } from './natsOps.js';
import { type NatsTasksOptions, resolveTasksOptions } from './options.js';
import { TaskPuller } from './puller.js';

/**
 * The tasks of a job on NATS that this process works on: feed them to `executeTasks`, and pipe
 * its events through {@link ackTasks}, which publishes each outcome and acks the task.
 *
 * <span class="informal">The job's tasks wait in a JetStream work queue that every worker process
 * pulls from: each task goes to one process at a time. This process pulls no more than its
 * `capacity` (tasks held and not yet settled): when the engine settles one, `ackTasks` frees its
 * place and one more is pulled (backpressure: the rest of the queue stays for the others). The
 * tasks held are confirmed to the server three times per ack wait, so a task may run for hours,
 * while a process that dies has its tasks handed to the others once the ack wait passes. A task
 * handed out again that already has a result (its first process died after publishing it) is acked
 * and skipped; one handed out more than the job's `maxDeliveries` fails without running
 * (`DeliveriesExhausted`); one whose data `decode` refuses fails with a `JobMessageError`. Those
 * failures are published as the task's outcome; they never reach the engine.</span>
 *
 * ```text
 * queue:    a b c d e f …            (capacity 2)
 * result:   -a-b------c---d-…-|      (c once a is settled, d once b is; | once the job is complete)
 * ```
 *
 * Cold: each subscription pulls on its own (one per process is the rule). A job not submitted
 * yet is waited for (looked up every `pollTimeoutMs`). Completes when the job is complete (sealed
 * by the submitter and every task acked) or deleted (the submitter's end, or `cancelJob`). NATS
 * outages are waited out (the connection reconnects, the pulls resume; nothing is lost).
 * Unsubscribing hands every task held and not yet settled back to the queue (nak, handed out
 * again after `pollTimeoutMs`: the pull this process still has open on the server is read to its
 * end, and what it brings is handed back too).
 * Errors: {@link JobQueueError} when NATS refuses for good or the connection is closed,
 * {@link JobMessageError} when the job's stream holds a message that is not a task (it is taken
 * off the queue).
 *
 * @param link a connection from `connectNats`
 * @param options the job, the decoder of task data, the encoder of results, the capacity
 * @returns the tasks, as `Task` objects whose `id`, `timeout` and `expires` are the submitter's
 * @throws {RangeError} (synchronously) on bad options
 *
 * @example
 * ```ts
 * natsTasks<number, number>(link, { job: 'frames', decode: Number, capacity: 4 })
 *   .pipe(executeTasks(node, worker, { payload, budget: 1, maxWorkers: 4 }), ackTasks())
 *   .subscribe({ complete: () => console.log('job complete') });
 * ```
 *
 * @see {@link ackTasks}
 * @see {@link joinJob}
 * @see {@link submitJob}
 */
export function natsTasks<D, R = unknown>(
  link: NatsLink,
  options: NatsTasksOptions<D, R>,
): Observable<Task<D, R>> {
  const settings = resolveTasksOptions(options);
  return new Observable<Task<D, R>>((subscriber) => {
    const controller = new AbortController();
    const puller = new TaskPuller<D, R>(link, settings, (task) => subscriber.next(task), controller.signal);
    // the tasks held cannot be acked any more: say so, even while waiting for capacity
    void link.connection.closed().then(() => {
      if (!subscriber.closed) subscriber.error(closedError(link, settings.job));
    });
    puller.run().then(
      () => subscriber.complete(),
      (error: unknown) => {
        if (!(error instanceof Stopped)) subscriber.error(error);
      },
    );
    return () => {
      controller.abort();
      puller.abandonAll();
    };
  });
}

/** The error of a source whose connection closed. */
function closedError(link: NatsLink, job: string): Error {
  return queueError(link, job, 'fetch', new Error('the NATS connection was closed'));
}
