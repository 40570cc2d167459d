import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/** What was wrong with the tasks given to `submitJob`. */
export type JobInputProblem =
  /** Two tasks share an id (the id is what results are matched and deduplicated by). */
  | 'duplicateId'
  /** A task id is empty or longer than 256 characters. */
  | 'badId'
  /** A task's data (after `encode`) cannot be written as JSON (a cycle, a BigInt). */
  | 'unencodable'
  /** A task's JSON is larger than the NATS server takes in one message (its `max_payload`). */
  | 'tooLarge'
  /** The job was submitted before with a different number of tasks (a resumed submission). */
  | 'mismatch';

/**
 * `submitJob` refused its tasks before publishing any of them: a duplicate or bad task id, data
 * that cannot be written as JSON or is too large for the server, or a resubmission of a job already sealed with another number
 * of tasks. Nothing of the job is published when this is raised for fresh tasks.
 *
 * @example
 * ```ts
 * submitJob(link, { job, tasks, decode }).subscribe({ error: (e) => isJobInputError(e) && console.error(e.problem, e.taskId) });
 * ```
 */
export class JobInputError extends GolemRxError {
  override readonly name = 'JobInputError' as const;
  /** The job. */
  readonly job: string;
  /** The task at fault, when one is. */
  readonly taskId: string | undefined;
  /** What was wrong. */
  readonly problem: JobInputProblem;

  constructor(
    context: { job: string; taskId?: string; problem: JobInputProblem; detail: string },
    options?: { cause?: unknown },
  ) {
    const task = context.taskId === undefined ? '' : ` task ${JSON.stringify(context.taskId)}:`;
    super(`Job ${context.job}:${task} ${context.detail}`, options);
    this.job = context.job;
    this.taskId = context.taskId;
    this.problem = context.problem;
  }
}

/** Is `err` a {@link JobInputError} (by class, or by name across realms)? */
export const isJobInputError = errorGuard(JobInputError, 'JobInputError');
