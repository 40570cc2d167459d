import { DevnetError, errorGuard } from '../errors/DevnetError.js';

/**
 * A GSB call to a service the requestor bound failed: no service at that address (an unknown file
 * id), the requestor answered an error variant (`ReadError`, `IntegrityError`…), or its websocket
 * closed or the services were unbound before it answered. A simulated exe-unit turns it into a
 * failed `transfer`.
 */
export class GsbCallError extends DevnetError {
  override readonly name = 'GsbCallError' as const;
  /** The GSB address called, e.g. `/public/gftp/<file id>/GetChunk`. */
  readonly address: string;
  /** The error variant the service answered, when it answered one. */
  readonly variant: string | undefined;

  constructor(
    message: string,
    context: { address: string; variant?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.address = context.address;
    this.variant = context.variant;
  }
}

/** Is `err` a {@link GsbCallError} (also across realms)? */
export const isGsbCallError = errorGuard(GsbCallError, 'GsbCallError');
