import { Observable } from 'rxjs';
import type { NatsLink } from '../nats/connect.js';
import { Stopped } from './natsOps.js';
import { type SubmitJobOptions, resolveSubmitOptions } from './options.js';
import type { JobOutcome } from './outcome.js';
import { JobSubmission } from './submission.js';

/**
 * Submits a job to the worker processes on NATS and emits each task's outcome as it comes back:
 * exactly one per task, then completes.
 *
 * <span class="informal">The job becomes two JetStream streams (file storage): a work queue of
 * its tasks, which every worker process pulls from with {@link natsTasks} (each task to one
 * process at a time, handed to another when a process fails it or dies), and its results. The
 * tasks are checked and encoded first (nothing is published when one is bad), then published,
 * then the job is sealed (the workers know no more will come). The results are read from the
 * first and deduplicated by task id: a task finished twice (its first process died before its
 * ack) counts once. Once every task has an outcome the job's streams are deleted (unless
 * `keep`), which ends the workers' sources.</span>
 *
 * ```text
 * workers:  a→w1 b→w2 c→w1 (w2 dies holding d; d→w1 after the ack wait)
 * result:   ---a--b---c--------d|
 * ```
 *
 * Cold: each subscription submits, or resumes: a job already sealed under this name is not
 * published again (give the same tasks: only their number is checked), its results are read
 * from the first, so a submitter that restarts loses nothing. NATS outages are waited out.
 * Unsubscribing stops publishing and following, and leaves the job in NATS for the workers
 * (subscribe again to follow it; {@link cancelJob} to call it off).
 * Errors: {@link JobInputError} (bad tasks), {@link JobQueueError} (NATS refused for good, the
 * connection closed, the job deleted under it), {@link JobMessageError} (a result that is not
 * golem-rx's, or of no task of the job).
 *
 * @param link a connection from `connectNats`
 * @param options the job's name, its tasks, the result decoder, the ack wait and deliveries
 * @returns the outcomes, one per task
 * @throws {RangeError} (synchronously) on bad options
 *
 * @example
 * ```ts
 * submitJob(link, { job: 'frames', tasks: frames.map((f) => new Task(f, { id: f.name })), decode: String })
 *   .subscribe((o) => console.log(o.taskId, o.type === 'taskFinished' ? o.result : o.error.message));
 * ```
 *
 * @see {@link natsTasks}
 * @see {@link joinJob}
 */
export function submitJob<D, R>(link: NatsLink, options: SubmitJobOptions<D, R>): Observable<JobOutcome<R>> {
  const settings = resolveSubmitOptions(options);
  return new Observable<JobOutcome<R>>((subscriber) => {
    const controller = new AbortController();
    new JobSubmission<D, R>(link, settings, (outcome) => subscriber.next(outcome), controller.signal)
      .run()
      .then(
        () => subscriber.complete(),
        (error: unknown) => {
          if (!(error instanceof Stopped)) subscriber.error(error);
        },
      );
    return () => controller.abort();
  });
}
