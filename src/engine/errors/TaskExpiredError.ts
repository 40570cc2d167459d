import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * A task was not done by its `expires` time (ms since the epoch, on the engine's scheduler): it
 * failed for good, and the worker running it, if any, was stopped.
 *
 * @example
 * ```ts
 * if (event.type === 'taskFailed' && isTaskExpiredError(event.error)) console.warn(event.task.id);
 * ```
 */
export class TaskExpiredError extends GolemRxError {
  override readonly name = 'TaskExpiredError' as const;
  /** The task. */
  readonly taskId: string;
  /** When it expired, ms since the epoch. */
  readonly expires: number;

  constructor(context: { taskId: string; expires: number }, options?: { cause?: unknown }) {
    super(`Task ${context.taskId} expired at ${new Date(context.expires).toISOString()}`, options);
    this.taskId = context.taskId;
    this.expires = context.expires;
  }
}

/** Is `err` a {@link TaskExpiredError} (by class, or by name across realms)? */
export const isTaskExpiredError = errorGuard(TaskExpiredError, 'TaskExpiredError');
