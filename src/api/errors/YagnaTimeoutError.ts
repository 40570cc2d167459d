import { errorGuard } from '../../errors/GolemRxError.js';
import { YagnaError, type YagnaErrorContext } from './YagnaError.js';

/**
 * A call timed out: yagna answered **408** (a blocking call's server-side wait elapsed, e.g.
 * `waitForApproval` still pending, `createActivity` not acknowledged) or **504** (ack timeout on the
 * remote node, e.g. accepting an invoice), or the client's own timeout fired before any answer
 * (`clientSide: true`, no `status`). After a 408 from `waitForApproval` you may simply call again.
 */
export class YagnaTimeoutError extends YagnaError {
  override readonly name = 'YagnaTimeoutError' as const;
  /** True when no answer came within the client's timeout (then `status` is `undefined`). */
  readonly clientSide: boolean;
  /** The client timeout that elapsed, in ms (client-side timeouts only). */
  readonly timeoutMs: number | undefined;

  constructor(message: string, context: YagnaErrorContext & { timeoutMs?: number } = {}) {
    super(message, context);
    this.clientSide = context.status === undefined;
    this.timeoutMs = context.timeoutMs;
  }
}

/** Is `err` a {@link YagnaTimeoutError} (by class, or by name across realms)? */
export const isYagnaTimeoutError = errorGuard(YagnaTimeoutError, 'YagnaTimeoutError');
