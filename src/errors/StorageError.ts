import { GolemRxError, errorGuard } from './GolemRxError.js';

/**
 * The requestor's transfer server could not complete a transfer: it could not start, a download
 * never arrived although the provider reported the transfer done, the provider sent more than
 * allowed, or writing the received file failed (`cause`).
 *
 * @example
 * ```ts
 * try { await ctx.commit(); } catch (e) { if (isStorageError(e)) console.error(e.operation); }
 * ```
 */
export class StorageError extends GolemRxError {
  override readonly name = 'StorageError' as const;
  /** What was being done. */
  readonly operation: 'start' | 'receive' | 'serve';

  constructor(
    context: { operation: 'start' | 'receive' | 'serve'; message: string },
    options?: { cause?: unknown },
  ) {
    super(`Storage ${context.operation}: ${context.message}`, options);
    this.operation = context.operation;
  }
}

/** Is `err` a {@link StorageError} (by class, or by name across realms)? */
export const isStorageError = errorGuard(StorageError, 'StorageError');
