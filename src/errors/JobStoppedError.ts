import { GolemRxError, errorGuard } from './GolemRxError.js';

/** Why a job stopped before all its tasks were done. */
export type JobStopReason = 'aborted' | 'timeout';

/**
 * A task job stopped early: its AbortSignal fired (`aborted`) or its `timeout` passed
 * (`timeout`). Every task not done by then fails with it (`taskFailed`); the job then shuts down
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
    super(context.reason === 'timeout' ? 'The job timed out' : 'The job was aborted', options);
    this.reason = context.reason;
  }
}

/** Is `err` a {@link JobStoppedError} (by class, or by name across realms)? */
export const isJobStoppedError = errorGuard(JobStoppedError, 'JobStoppedError');
