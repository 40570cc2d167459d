import { errorGuard } from '../../errors/GolemRxError.js';
import { YagnaError } from './YagnaError.js';

/**
 * yagna answered **401 Unauthorized**: the app key is missing or invalid. (Real yagna sends a
 * text/plain body such as `Invalid application key`; it becomes {@link YagnaError.yagnaMessage}.)
 */
export class YagnaUnauthorizedError extends YagnaError {
  override readonly name = 'YagnaUnauthorizedError' as const;
}

/** Is `err` a {@link YagnaUnauthorizedError} (by class, or by name across realms)? */
export const isYagnaUnauthorizedError = errorGuard(YagnaUnauthorizedError, 'YagnaUnauthorizedError');
