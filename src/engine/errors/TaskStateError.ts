import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * `task.accept()` or `task.reject()` was called when it cannot take effect: the task is not
 * running on a worker (it was never handed out, or is queued for a retry), or this attempt was
 * already settled (a second `accept`, or `reject` after `accept`). A task completes exactly once.
 *
 * @example
 * ```ts
 * try { task.accept(result); } catch (e) { if (isTaskStateError(e)) console.error(e.state); }
 * ```
 */
export class TaskStateError extends GolemRxError {
  override readonly name = 'TaskStateError' as const;
  /** The task. */
  readonly taskId: string;
  /** The task's state when the call was made. */
  readonly state: string;
  /** The call that was refused. */
  readonly operation: 'accept' | 'reject';

  constructor(
    context: { taskId: string; state: string; operation: 'accept' | 'reject' },
    options?: { cause?: unknown },
  ) {
    super(`Cannot ${context.operation} task ${context.taskId}: it is ${context.state}`, options);
    this.taskId = context.taskId;
    this.state = context.state;
    this.operation = context.operation;
  }
}

/** Is `err` a {@link TaskStateError} (by class, or by name across realms)? */
export const isTaskStateError = errorGuard(TaskStateError, 'TaskStateError');
