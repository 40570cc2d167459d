import { errorGuard } from '../../errors/GolemRxError.js';
import { YagnaError } from './YagnaError.js';

/**
 * yagna answered **501 Not Implemented** (Real yagna: rejecting a debit note or an invoice).
 */
export class YagnaNotImplementedError extends YagnaError {
  override readonly name = 'YagnaNotImplementedError' as const;
}

/** Is `err` a {@link YagnaNotImplementedError} (by class, or by name across realms)? */
export const isYagnaNotImplementedError = errorGuard(YagnaNotImplementedError, 'YagnaNotImplementedError');
