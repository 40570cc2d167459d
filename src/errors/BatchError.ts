import { GolemRxError, errorGuard } from './GolemRxError.js';

/**
 * A command of an ExeScript batch failed (its result is `Error`), which ends the batch:
 * `batch.results$` emits the results before it and then errors with this. It names the failed
 * command and carries what the exe-unit said.
 *
 * @example
 * ```ts
 * batch.results$.subscribe({ error: (e) => isBatchError(e) && console.error(e.commandIndex, e.stderr) });
 * ```
 */
export class BatchError extends GolemRxError {
  override readonly name = 'BatchError' as const;
  /** The activity the batch ran on. */
  readonly activityId: string;
  /** The batch. */
  readonly batchId: string;
  /** Index of the failed command in the script. */
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
    super(
      `Command ${context.commandIndex}${context.command === undefined ? '' : ` (${context.command})`} of batch ` +
        `${context.batchId} failed` +
        (context.message === undefined || context.message === null ? '' : `: ${context.message}`),
      options,
    );
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
