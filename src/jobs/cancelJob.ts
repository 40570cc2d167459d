import { type SchedulerLike, asyncScheduler } from 'rxjs';
import type { NatsLink } from '../nats/connect.js';
import { checkJobName, jobNames } from './names.js';
import { Stopped, connectJetStream } from './natsOps.js';
import { deleteJob } from './submission.js';

/** Options of {@link cancelJob}. */
export interface CancelJobOptions {
  /** Gives up waiting out an outage (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** The clock of the retry pauses. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/**
 * Calls a job off: deletes its streams (its tasks, the results so far, its seal). The workers'
 * {@link natsTasks} complete (the tasks they hold still run; their results are dropped), a
 * submitter following it errors with a `JobQueueError`. A job that does not exist is fine.
 * NATS outages are waited out.
 *
 * @param link a connection from `connectNats`
 * @param job the job's name
 * @param options a signal, a scheduler
 * @throws {RangeError} (synchronously) on a bad job name
 * @throws {JobQueueError} (rejects) when NATS refuses or the connection is closed
 * @throws {NatsConnectionError} (rejects) when `@nats-io/jetstream` is not installed
 *
 * @example
 * ```ts
 * process.once('SIGINT', () => void cancelJob(link, 'frames'));
 * ```
 */
export function cancelJob(link: NatsLink, job: string, options: CancelJobOptions = {}): Promise<void> {
  checkJobName(job);
  const signal = options.signal ?? new AbortController().signal;
  const context = { link, job, scheduler: options.scheduler ?? asyncScheduler, signal };
  const run = async (): Promise<void> => {
    try {
      const jsm = await connectJetStream(context, 'delete');
      await deleteJob(jsm, jobNames(job), context);
    } catch (error: unknown) {
      throw error instanceof Stopped ? signal.reason : error;
    }
  };
  return run();
}
