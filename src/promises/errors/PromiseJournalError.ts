import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * The promise journal file cannot be used: a record in the middle of the file is unreadable
 * (`operation: 'open'`, with the 1-based `line`), or writing to it failed (`operation: 'append'`,
 * the I/O error as `cause`). After a failed append the store refuses further writes, because the
 * disk's state is no longer known; reopen it to continue. A torn *last* line is not an error: it is
 * a write that was never acknowledged and is dropped on open.
 */
export class PromiseJournalError extends GolemRxError {
  override readonly name = 'PromiseJournalError' as const;
  /** The journal file. */
  readonly path: string;
  /** What was being done when it failed. */
  readonly operation: 'open' | 'append' | 'close';
  /** The 1-based line of an unreadable record, when `operation` is `'open'`. */
  readonly line: number | undefined;

  constructor(
    message: string,
    context: { path: string; operation: 'open' | 'append' | 'close'; line?: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.path = context.path;
    this.operation = context.operation;
    this.line = context.line;
  }
}

/** Is `err` a {@link PromiseJournalError} (by class, or by name across realms)? */
export const isPromiseJournalError = errorGuard(PromiseJournalError, 'PromiseJournalError');
