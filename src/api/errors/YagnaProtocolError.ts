import { errorGuard } from '../../errors/GolemRxError.js';
import { YagnaError } from './YagnaError.js';

/**
 * yagna answered with success, but the body is not what the contract promises (not JSON where
 * JSON is due, a number where an id string is due, an amount that is not a decimal).
 */
export class YagnaProtocolError extends YagnaError {
  override readonly name = 'YagnaProtocolError' as const;
}

/** Is `err` a {@link YagnaProtocolError} (by class, or by name across realms)? */
export const isYagnaProtocolError = errorGuard(YagnaProtocolError, 'YagnaProtocolError');
