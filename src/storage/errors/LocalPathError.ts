import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * A local path given to a transfer cannot be used: the file to send does not exist or is not a
 * regular file, or the directory to download into does not exist. Raised by `ctx.commit()` (or
 * the storage server) before anything is sent to the provider.
 *
 * @example
 * ```ts
 * try { await ctx.commit(); } catch (e) { if (isLocalPathError(e)) console.error(e.path, e.problem); }
 * ```
 */
export class LocalPathError extends GolemRxError {
  override readonly name = 'LocalPathError' as const;
  /** The local path. */
  readonly path: string;
  /** The transfer it was given to. */
  readonly operation: 'sendFile' | 'downloadFile';
  /** What is wrong with it. */
  readonly problem: 'missing' | 'notAFile' | 'noDirectory';

  constructor(
    context: {
      path: string;
      operation: 'sendFile' | 'downloadFile';
      problem: 'missing' | 'notAFile' | 'noDirectory';
    },
    options?: { cause?: unknown },
  ) {
    const why =
      context.problem === 'missing'
        ? 'does not exist'
        : context.problem === 'notAFile'
          ? 'is not a regular file'
          : 'is in a directory that does not exist';
    super(`${context.operation}: local path ${context.path} ${why}`, options);
    this.path = context.path;
    this.operation = context.operation;
    this.problem = context.problem;
  }
}

/** Is `err` a {@link LocalPathError} (by class, or by name across realms)? */
export const isLocalPathError = errorGuard(LocalPathError, 'LocalPathError');
