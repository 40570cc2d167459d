import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * A task of a job failed for good in a worker process, as the submitter learns it: the error's
 * name and message as that process reported them (e.g. `TaskRejectedError` after
 * `reject(…, { retry: false })`, `TaskExpiredError`, `NoEligibleProviderError` after its last
 * delivery, `DeliveriesExhausted` when the task was handed out `maxDeliveries` times without an
 * outcome, as when the processes holding it died). Only the name and the message cross the wire.
 *
 * @example
 * ```ts
 * if (outcome.type === 'taskFailed' && isJobTaskFailedError(outcome.error)) console.warn(outcome.error.remoteName);
 * ```
 */
export class JobTaskFailedError extends GolemRxError {
  override readonly name = 'JobTaskFailedError' as const;
  /** The job. */
  readonly job: string;
  /** The task. */
  readonly taskId: string;
  /** The name of the error in the worker process (`TaskRejectedError`, `DeliveriesExhausted`…). */
  readonly remoteName: string;
  /** The worker process that reported it (its `worker` name). */
  readonly worker: string;

  constructor(
    context: { job: string; taskId: string; remoteName: string; remoteMessage: string; worker: string },
    options?: { cause?: unknown },
  ) {
    super(
      `Job ${context.job}: task ${JSON.stringify(context.taskId)} failed on ${context.worker}: ${context.remoteName}: ${context.remoteMessage}`,
      options,
    );
    this.job = context.job;
    this.taskId = context.taskId;
    this.remoteName = context.remoteName;
    this.worker = context.worker;
  }
}

/** Is `err` a {@link JobTaskFailedError} (by class, or by name across realms)? */
export const isJobTaskFailedError = errorGuard(JobTaskFailedError, 'JobTaskFailedError');
