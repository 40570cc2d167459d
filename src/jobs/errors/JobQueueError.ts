import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/** The JetStream step that failed. */
export type JobQueueOperation = 'setup' | 'publish' | 'fetch' | 'follow' | 'delete';

/**
 * A job's JetStream work could not go on: the connection was closed (`link.close()`, or
 * reconnection gave up), the server refused a request for good (JetStream off, no permission, a
 * stream of that name with another configuration), or the job's streams were deleted while the
 * submitter followed it (`cancelJob`). Outages are not errors: while the connection is being
 * re-established every step is retried (on the job's scheduler) and nothing is lost. The message
 * never carries credentials (they are masked by the link).
 *
 * @example
 * ```ts
 * submitJob(link, options).subscribe({ error: (e) => isJobQueueError(e) && console.error(e.operation) });
 * ```
 */
export class JobQueueError extends GolemRxError {
  override readonly name = 'JobQueueError' as const;
  /** The job. */
  readonly job: string;
  /** What failed. */
  readonly operation: JobQueueOperation;

  constructor(
    context: { job: string; operation: JobQueueOperation; detail: string },
    options?: { cause?: unknown },
  ) {
    super(`Job ${context.job}: ${context.operation} failed: ${context.detail}`, options);
    this.job = context.job;
    this.operation = context.operation;
  }
}

/** Is `err` a {@link JobQueueError} (by class, or by name across realms)? */
export const isJobQueueError = errorGuard(JobQueueError, 'JobQueueError');
