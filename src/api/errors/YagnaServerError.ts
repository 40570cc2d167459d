import { errorGuard } from '../../errors/GolemRxError.js';
import { YagnaError } from './YagnaError.js';

/**
 * yagna answered with a **5xx** other than 501 and 504: an internal error or an unreachable
 * service behind it. Idempotent calls retry 500/502/503 before raising it.
 */
export class YagnaServerError extends YagnaError {
  override readonly name = 'YagnaServerError' as const;
}

/** Is `err` a {@link YagnaServerError} (by class, or by name across realms)? */
export const isYagnaServerError = errorGuard(YagnaServerError, 'YagnaServerError');
