import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/** One runnable that crashed: its name and what its `run()` rejected with. */
export interface RunnableFailure {
  readonly name: string;
  readonly error: unknown;
}

/**
 * Runnables of a `RunnableRegistry` crashed: what `registry.run()` rejects with. `failures` names
 * each one and its error; `cause` is the first error.
 */
export class RunnableFailedError extends GolemRxError {
  override readonly name = 'RunnableFailedError' as const;
  /** The runnables that crashed, in the order they crashed. */
  readonly failures: readonly RunnableFailure[];

  /** @param failures the runnables that crashed (at least one) */
  constructor(failures: readonly RunnableFailure[]) {
    super(`Runnable${failures.length === 1 ? '' : 's'} failed: ${failures.map((f) => f.name).join(', ')}`, {
      cause: failures[0]?.error,
    });
    this.failures = failures;
  }
}

/** Is `err` a {@link RunnableFailedError} (by class, or by name across realms)? */
export const isRunnableFailedError = errorGuard(RunnableFailedError, 'RunnableFailedError');
