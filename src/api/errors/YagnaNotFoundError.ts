import { errorGuard } from '../../errors/GolemRxError.js';
import { YagnaError } from './YagnaError.js';

/**
 * yagna answered **404 Not Found**: the resource does not exist (any more). A 404 on a long-poll of a
 * subscription means the subscription expired or was removed: the stream is over.
 */
export class YagnaNotFoundError extends YagnaError {
  override readonly name = 'YagnaNotFoundError' as const;
}

/** Is `err` a {@link YagnaNotFoundError} (by class, or by name across realms)? */
export const isYagnaNotFoundError = errorGuard(YagnaNotFoundError, 'YagnaNotFoundError');
