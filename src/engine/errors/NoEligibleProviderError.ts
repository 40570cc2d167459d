import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * A task cannot be placed: every provider the market offered has been excluded or has already
 * failed this task, over several rounds of fresh offers. The task fails with it.
 *
 * @example
 * ```ts
 * if (event.type === 'taskFailed' && isNoEligibleProviderError(event.error)) console.warn(event.error.triedProviders);
 * ```
 */
export class NoEligibleProviderError extends GolemRxError {
  override readonly name = 'NoEligibleProviderError' as const;
  /** The task. */
  readonly taskId: string;
  /** The providers it already failed on. */
  readonly triedProviders: readonly string[];

  constructor(context: { taskId: string; triedProviders: readonly string[] }, options?: { cause?: unknown }) {
    super(
      `No eligible provider left for task ${context.taskId} (failed on: ${context.triedProviders.join(', ') || 'none'})`,
      options,
    );
    this.taskId = context.taskId;
    this.triedProviders = context.triedProviders;
  }
}

/** Is `err` a {@link NoEligibleProviderError} (by class, or by name across realms)? */
export const isNoEligibleProviderError = errorGuard(NoEligibleProviderError, 'NoEligibleProviderError');
