import { DevnetError, errorGuard } from '../errors/DevnetError.js';

/**
 * A `transfer` command failed: an unsupported URL scheme, an HTTP error status, a network
 * failure, a missing file. The exe-unit turns it into an `Error` result with this message.
 */
export class TransferError extends DevnetError {
  override readonly name = 'TransferError' as const;
  /** The URL or path the transfer read from. */
  readonly from: string;
  /** The URL or path the transfer wrote to. */
  readonly to: string;
  /** HTTP status, when the failure is an HTTP answer. */
  readonly status: number | undefined;

  constructor(
    message: string,
    context: { from: string; to: string; status?: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.from = context.from;
    this.to = context.to;
    this.status = context.status;
  }
}

/** Is `err` a {@link TransferError} (also across realms)? */
export const isTransferError = errorGuard(TransferError, 'TransferError');
