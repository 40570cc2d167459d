import { errorGuard } from '../../errors/GolemRxError.js';
import { YagnaError, type YagnaErrorContext } from './YagnaError.js';

/**
 * The yagna client was given something it cannot send: an invalid configuration (a base URL that
 * is not http(s), a negative timeout, bad retry limits) or an invalid argument (an amount that is
 * not a finite non-negative decimal, a negative poll timeout). Raised before any request is made;
 * never retried.
 */
export class YagnaArgumentError extends YagnaError {
  override readonly name = 'YagnaArgumentError' as const;
  /** The option or argument at fault, e.g. `totalAmount`, `url`, `retry.limit`. */
  readonly argument: string;

  constructor(message: string, context: YagnaErrorContext & { argument: string }) {
    super(message, context);
    this.argument = context.argument;
  }
}

/** Is `err` a {@link YagnaArgumentError} (by class, or by name across realms)? */
export const isYagnaArgumentError = errorGuard(YagnaArgumentError, 'YagnaArgumentError');
