import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * The worker rejected a task (`task.reject(reason, { retry })`): the reason it gave, as an error.
 * It is the `error` of the `taskRetried` / `taskFailed` events of that attempt; a reason given as
 * an `Error` is its `cause`.
 *
 * @example
 * ```ts
 * events$.pipe(filter((e) => e.type === 'taskFailed' && isTaskRejectedError(e.error)));
 * ```
 */
export class TaskRejectedError extends GolemRxError {
  override readonly name = 'TaskRejectedError' as const;
  /** The task. */
  readonly taskId: string;
  /** The provider it ran on. */
  readonly providerId: string;
  /** Whether the worker asked for a retry. */
  readonly retry: boolean;

  constructor(
    context: { taskId: string; providerId: string; reason: string; retry: boolean },
    options?: { cause?: unknown },
  ) {
    super(`Task ${context.taskId} rejected on ${context.providerId}: ${context.reason}`, options);
    this.taskId = context.taskId;
    this.providerId = context.providerId;
    this.retry = context.retry;
  }
}

/** Is `err` a {@link TaskRejectedError} (by class, or by name across realms)? */
export const isTaskRejectedError = errorGuard(TaskRejectedError, 'TaskRejectedError');
