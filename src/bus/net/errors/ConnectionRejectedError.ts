import { GolemRxError, errorGuard } from '../../../errors/GolemRxError.js';

/** Context of a {@link ConnectionRejectedError}. */
export interface ConnectionRejectedContext {
  /** The endpoint name the connection was meant for. */
  readonly endpoint: string;
  /** Why it was refused: a duplicate name, a failed handshake, a protocol mismatch. */
  readonly reason: string;
}

/**
 * Raised by `connectToEndpoints` when a connection attempt is refused: the name is already
 * connected (or listed twice), or the remote rejected the handshake.
 */
export class ConnectionRejectedError extends GolemRxError {
  override readonly name = 'ConnectionRejectedError' as const;

  constructor(
    readonly context: ConnectionRejectedContext,
    options?: { cause?: unknown },
  ) {
    super(`Connection to ${context.endpoint} rejected: ${context.reason}`, options);
  }
}

/** Is `err` a {@link ConnectionRejectedError} (also across realms)? */
export const isConnectionRejectedError = errorGuard(ConnectionRejectedError, 'ConnectionRejectedError');
