import { errorGuard } from '../../errors/GolemRxError.js';
import { YagnaError } from './YagnaError.js';

/**
 * yagna answered **409 Conflict**: an illegal state transition of an agreement still in state
 * `Proposal` (e.g. terminating an agreement that was never confirmed).
 */
export class YagnaConflictError extends YagnaError {
  override readonly name = 'YagnaConflictError' as const;
}

/** Is `err` a {@link YagnaConflictError} (by class, or by name across realms)? */
export const isYagnaConflictError = errorGuard(YagnaConflictError, 'YagnaConflictError');
