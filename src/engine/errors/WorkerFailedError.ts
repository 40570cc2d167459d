import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/** Why a worker failed. */
export type WorkerFailure = 'threw' | 'unsettled' | 'stopped';

/**
 * A worker failed while it held tasks: the worker function threw (`threw`, the error is the
 * `cause`), returned without settling the tasks it took (`unsettled`), or was stopped by the
 * engine because a task it held timed out or expired (`stopped`). Its unsettled tasks are
 * re-queued (an attempt each) and its agreement is terminated with a failure code.
 *
 * @example
 * ```ts
 * if (event.type === 'taskRetried' && isWorkerFailedError(event.error)) console.warn(event.error.cause);
 * ```
 */
export class WorkerFailedError extends GolemRxError {
  override readonly name = 'WorkerFailedError' as const;
  /** The provider of the worker. */
  readonly providerId: string;
  /** The worker's activity. */
  readonly activityId: string;
  /** What happened. */
  readonly failure: WorkerFailure;

  constructor(
    context: { providerId: string; activityId: string; failure: WorkerFailure },
    options?: { cause?: unknown },
  ) {
    const what =
      context.failure === 'threw'
        ? 'threw'
        : context.failure === 'unsettled'
          ? 'returned without settling its tasks'
          : 'was stopped';
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`Worker on ${context.providerId} (activity ${context.activityId}) ${what}${detail}`, options);
    this.providerId = context.providerId;
    this.activityId = context.activityId;
    this.failure = context.failure;
  }
}

/** Is `err` a {@link WorkerFailedError} (by class, or by name across realms)? */
export const isWorkerFailedError = errorGuard(WorkerFailedError, 'WorkerFailedError');
