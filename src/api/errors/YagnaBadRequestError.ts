import { errorGuard } from '../../errors/GolemRxError.js';
import { YagnaError } from './YagnaError.js';

/**
 * yagna answered **400 Bad Request**: a malformed id, an invalid body or query parameter, or an
 * operation illegal in the current state (Real yagna uses 400 where the spec says 409/410, e.g.
 * creating an agreement from an `Initial` proposal, or `waitForApproval` before `confirm`).
 */
export class YagnaBadRequestError extends YagnaError {
  override readonly name = 'YagnaBadRequestError' as const;
}

/** Is `err` a {@link YagnaBadRequestError} (by class, or by name across realms)? */
export const isYagnaBadRequestError = errorGuard(YagnaBadRequestError, 'YagnaBadRequestError');
