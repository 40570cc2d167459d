import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * One attempt of a task ran longer than its `timeout`: the engine withdrew it, stopped the worker
 * that held it (its activity destroyed, its agreement terminated with a failure code) and retried
 * the task elsewhere while attempts remained.
 *
 * @example
 * ```ts
 * if (event.type === 'taskRetried' && isTaskTimeoutError(event.error)) console.warn(event.error.providerId);
 * ```
 */
export class TaskTimeoutError extends GolemRxError {
  override readonly name = 'TaskTimeoutError' as const;
  /** The task. */
  readonly taskId: string;
  /** The provider it was running on. */
  readonly providerId: string;
  /** The task's timeout, in ms. */
  readonly timeoutMs: number;

  constructor(
    context: { taskId: string; providerId: string; timeoutMs: number },
    options?: { cause?: unknown },
  ) {
    super(`Task ${context.taskId} timed out after ${context.timeoutMs} ms on ${context.providerId}`, options);
    this.taskId = context.taskId;
    this.providerId = context.providerId;
    this.timeoutMs = context.timeoutMs;
  }
}

/** Is `err` a {@link TaskTimeoutError} (by class, or by name across realms)? */
export const isTaskTimeoutError = errorGuard(TaskTimeoutError, 'TaskTimeoutError');
