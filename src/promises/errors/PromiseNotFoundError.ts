import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';
import { formatPromiseId, type PromiseId } from '../PromiseId.js';

/**
 * The promise does not exist in this registry: it was never created here (another worker's id,
 * a made-up index) or it has been deleted. Raised by `completePromise`, `pollPromise`,
 * `getPromiseState`, and emitted on the error channel of `awaitPromise` (also to waiters of a
 * promise deleted while they wait). The HTTP server answers it with 404.
 */
export class PromiseNotFoundError extends GolemRxError {
  override readonly name = 'PromiseNotFoundError' as const;
  /** The id that was looked up. */
  readonly promiseId: PromiseId;
  /** `'unknown'`: never existed here; `'deleted'`: deleted (possibly while being awaited). */
  readonly reason: 'unknown' | 'deleted';

  constructor(
    promiseId: PromiseId,
    reason: 'unknown' | 'deleted' = 'unknown',
    options?: { cause?: unknown },
  ) {
    super(
      reason === 'deleted'
        ? `Promise ${formatPromiseId(promiseId)} was deleted`
        : `Promise ${formatPromiseId(promiseId)} not found`,
      options,
    );
    this.promiseId = promiseId;
    this.reason = reason;
  }
}

/** Is `err` a {@link PromiseNotFoundError} (by class, or by name across realms)? */
export const isPromiseNotFoundError = errorGuard(PromiseNotFoundError, 'PromiseNotFoundError');
