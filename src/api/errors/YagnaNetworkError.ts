import { errorGuard } from '../../errors/GolemRxError.js';
import { YagnaError, type YagnaErrorContext } from './YagnaError.js';

/**
 * No HTTP answer from yagna: connection refused or reset, DNS failure, the stream broke while the
 * body was read. `status` is `undefined`; `code` carries the system error code when there is one
 * (`ECONNREFUSED`, `ECONNRESET`…), and `cause` a copy of the underlying error scrubbed of secrets.
 * Idempotent calls retry it before raising it.
 */
export class YagnaNetworkError extends YagnaError {
  override readonly name = 'YagnaNetworkError' as const;
  /** The system error code found in the cause chain (`ECONNREFUSED`, `UND_ERR_SOCKET`…), if any. */
  readonly code: string | undefined;

  constructor(message: string, context: YagnaErrorContext & { code?: string } = {}) {
    super(message, context);
    this.code = context.code;
  }
}

/** Is `err` a {@link YagnaNetworkError} (by class, or by name across realms)? */
export const isYagnaNetworkError = errorGuard(YagnaNetworkError, 'YagnaNetworkError');
