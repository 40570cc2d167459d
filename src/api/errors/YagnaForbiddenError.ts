import { errorGuard } from '../../errors/GolemRxError.js';
import { YagnaError } from './YagnaError.js';

/**
 * yagna answered **403 Forbidden**: the resource belongs to another identity (activity API).
 */
export class YagnaForbiddenError extends YagnaError {
  override readonly name = 'YagnaForbiddenError' as const;
}

/** Is `err` a {@link YagnaForbiddenError} (by class, or by name across realms)? */
export const isYagnaForbiddenError = errorGuard(YagnaForbiddenError, 'YagnaForbiddenError');
