import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * A message of a job on NATS could not be read: a task or result that is not golem-rx's JSON
 * envelope, task data the worker's `decode` refused (the task then fails for good, reported to the
 * submitter with this error's name and message), a result the submitter's `decode` refused (that
 * task's outcome is then `taskFailed` with this error), or a result this worker could not encode.
 * Decoders are the user's functions: nothing from the wire chooses code to run.
 *
 * @example
 * ```ts
 * if (outcome.type === 'taskFailed' && isJobMessageError(outcome.error)) console.error(outcome.error.kind);
 * ```
 */
export class JobMessageError extends GolemRxError {
  override readonly name = 'JobMessageError' as const;
  /** The job. */
  readonly job: string;
  /** What could not be read (or written): a task, or a result. */
  readonly kind: 'task' | 'result';
  /** The task, when its id could be read. */
  readonly taskId: string | undefined;

  constructor(
    context: { job: string; kind: 'task' | 'result'; taskId?: string; detail: string },
    options?: { cause?: unknown },
  ) {
    const task = context.taskId === undefined ? '' : ` of task ${JSON.stringify(context.taskId)}`;
    super(`Job ${context.job}: a ${context.kind}${task} is unusable: ${context.detail}`, options);
    this.job = context.job;
    this.kind = context.kind;
    this.taskId = context.taskId;
  }
}

/** Is `err` a {@link JobMessageError} (by class, or by name across realms)? */
export const isJobMessageError = errorGuard(JobMessageError, 'JobMessageError');
