import { errorGuard } from '../../errors/GolemRxError.js';
import { YagnaError } from './YagnaError.js';

/**
 * yagna answered **410 Gone**: the resource reached a final state. `waitForApproval` answers 410 with
 * {@link YagnaError.yagnaMessage} `Rejected` (by the provider), `Cancelled` (by us) or an expiry
 * message; a released allocation and an already countered proposal are gone as well.
 */
export class YagnaGoneError extends YagnaError {
  override readonly name = 'YagnaGoneError' as const;
}

/** Is `err` a {@link YagnaGoneError} (by class, or by name across realms)? */
export const isYagnaGoneError = errorGuard(YagnaGoneError, 'YagnaGoneError');
