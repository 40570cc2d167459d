import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/** Why a job stopped before all its tasks were done. */
export type JobStopReason = 'aborted' | 'timeout' | 'budget';

/**
 * A task job stopped early: its AbortSignal fired (`aborted`), its `timeout` passed
 * (`timeout`), or paying on would have exceeded its budget (`budget`). Every task not done by then fails with it (`taskFailed`); the job then shuts down
 * cleanly (workers stopped, agreements terminated, invoices awaited, the allocation released).
 *
 * @example
 * ```ts
 * if (event.type === 'taskFailed' && isJobStoppedError(event.error)) console.warn(event.error.reason);
 * ```
 */
export class JobStoppedError extends GolemRxError {
  override readonly name = 'JobStoppedError' as const;
  /** Why it stopped. */
  readonly reason: JobStopReason;

  constructor(context: { reason: JobStopReason }, options?: { cause?: unknown }) {
    const why = { aborted: 'was aborted', timeout: 'timed out', budget: 'ran out of budget' }[context.reason];
    super(`The job ${why}`, options);
    this.reason = context.reason;
  }
}

/** Is `err` a {@link JobStoppedError} (by class, or by name across realms)? */
export const isJobStoppedError = errorGuard(JobStoppedError, 'JobStoppedError');
