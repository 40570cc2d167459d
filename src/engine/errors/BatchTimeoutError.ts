import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * A batch (`ctx.commit({ timeout })`) or one of its commands (`ctx.run(…, { timeout })`) ran
 * longer than allowed. The batch was really stopped: its activity was destroyed, so the provider
 * stops running and billing it; the work context cannot run anything more.
 *
 * @example
 * ```ts
 * try { await ctx.commit({ timeout: 60_000 }); } catch (e) { if (isBatchTimeoutError(e)) task.reject(e); }
 * ```
 */
export class BatchTimeoutError extends GolemRxError {
  override readonly name = 'BatchTimeoutError' as const;
  /** The activity the batch ran on. */
  readonly activityId: string;
  /** The batch, when it had been started. */
  readonly batchId: string | undefined;
  /** The command that was running (index in the batch), for a per-command timeout. */
  readonly commandIndex: number | undefined;
  /** The limit that passed, in ms. */
  readonly timeoutMs: number;

  constructor(
    context: { activityId: string; batchId?: string; commandIndex?: number; timeoutMs: number },
    options?: { cause?: unknown },
  ) {
    const what = context.commandIndex === undefined ? 'Batch' : `Command ${context.commandIndex} of batch`;
    super(
      `${what} ${context.batchId ?? '(not started)'} on activity ${context.activityId} timed out after ${context.timeoutMs} ms`,
      options,
    );
    this.activityId = context.activityId;
    this.batchId = context.batchId;
    this.commandIndex = context.commandIndex;
    this.timeoutMs = context.timeoutMs;
  }
}

/** Is `err` a {@link BatchTimeoutError} (by class, or by name across realms)? */
export const isBatchTimeoutError = errorGuard(BatchTimeoutError, 'BatchTimeoutError');
