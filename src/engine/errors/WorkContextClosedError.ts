import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * A command was committed on a work context that can no longer run anything: its worker was
 * stopped by the engine (a task timed out, the job ended or was aborted), or a timed-out batch
 * destroyed its activity.
 *
 * @example
 * ```ts
 * try { await ctx.commit(); } catch (e) { if (isWorkContextClosedError(e)) return; }
 * ```
 */
export class WorkContextClosedError extends GolemRxError {
  override readonly name = 'WorkContextClosedError' as const;
  /** The activity of the work context. */
  readonly activityId: string;

  constructor(context: { activityId: string }, options?: { cause?: unknown }) {
    super(`The work context of activity ${context.activityId} is closed`, options);
    this.activityId = context.activityId;
  }
}

/** Is `err` a {@link WorkContextClosedError} (by class, or by name across realms)? */
export const isWorkContextClosedError = errorGuard(WorkContextClosedError, 'WorkContextClosedError');
