import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/** Why a batch ended before its last command succeeded. */
export type BatchErrorReason =
  /** A command's result is `Error` (the exe-unit's message, stdout and stderr are attached). */
  | 'commandFailed'
  /** The node closed (`node.close()`) before the batch finished: its results are no longer followed. */
  | 'nodeClosed'
  /** The activity was destroyed, or its agreement ended, before the batch finished. */
  | 'activityClosed';

/**
 * An ExeScript batch ended before its last command succeeded: `batch.results$` emits the results
 * before that point and then errors with this. `reason` says why: a command failed
 * (`commandFailed`, its result is `Error`: the error names it and carries what the exe-unit
 * said), or the node or the activity closed while it ran (`nodeClosed`, `activityClosed`: then
 * `commandIndex` is the command that had not finished).
 *
 * @example
 * ```ts
 * batch.results$.subscribe({ error: (e) => isBatchError(e) && console.error(e.commandIndex, e.stderr) });
 * ```
 */
export class BatchError extends GolemRxError {
  override readonly name = 'BatchError' as const;
  /** Why the batch ended. */
  readonly reason: BatchErrorReason;
  /** The activity the batch ran on. */
  readonly activityId: string;
  /** The batch. */
  readonly batchId: string;
  /** Index of the failed command in the script (the unfinished one when the node or activity closed). */
  readonly commandIndex: number;
  /** The failed command's name (`deploy`, `start`, `run`, `transfer`, …), when known. */
  readonly command: string | undefined;
  /** The exe-unit's message, if any. */
  readonly yagnaMessage: string | undefined;
  /** The command's stdout (text, or bytes for binary capture), if captured. */
  readonly stdout: string | readonly number[] | undefined;
  /** The command's stderr, if captured. */
  readonly stderr: string | readonly number[] | undefined;

  constructor(
    context: {
      /** @default 'commandFailed' */
      reason?: BatchErrorReason;
      activityId: string;
      batchId: string;
      commandIndex: number;
      command?: string;
      message?: string | null;
      stdout?: string | readonly number[] | null;
      stderr?: string | readonly number[] | null;
    },
    options?: { cause?: unknown },
  ) {
    const reason = context.reason ?? 'commandFailed';
    const command = `${context.commandIndex}${context.command === undefined ? '' : ` (${context.command})`}`;
    super(
      reason === 'commandFailed'
        ? `Command ${command} of batch ${context.batchId} failed` +
            (context.message === undefined || context.message === null ? '' : `: ${context.message}`)
        : `Batch ${context.batchId} on activity ${context.activityId} stopped at command ${command}: ` +
            (reason === 'nodeClosed' ? 'the node closed' : 'the activity closed'),
      options,
    );
    this.reason = reason;
    this.activityId = context.activityId;
    this.batchId = context.batchId;
    this.commandIndex = context.commandIndex;
    this.command = context.command;
    this.yagnaMessage = context.message ?? undefined;
    this.stdout = context.stdout ?? undefined;
    this.stderr = context.stderr ?? undefined;
  }
}

/** Is `err` a {@link BatchError} (by class, or by name across realms)? */
export const isBatchError = errorGuard(BatchError, 'BatchError');
