import { GolemRxError, errorGuard } from '../../../errors/GolemRxError.js';

/** Context of a {@link RemoteDisconnectedError}. */
export interface RemoteDisconnectedContext {
  /** The remote endpoint that went away. */
  readonly endpoint: string;
  /** The pending request that was rejected, if any. */
  readonly requestId?: string;
}

/**
 * Raised for every request pending on a remote endpoint when the connection to that endpoint
 * closes before it answered.
 */
export class RemoteDisconnectedError extends GolemRxError {
  override readonly name = 'RemoteDisconnectedError' as const;

  constructor(
    readonly context: RemoteDisconnectedContext,
    options?: { cause?: unknown },
  ) {
    super(
      context.requestId === undefined
        ? `Endpoint ${context.endpoint} disconnected`
        : `Endpoint ${context.endpoint} disconnected before answering request ${context.requestId}`,
      options,
    );
  }
}

/** Is `err` a {@link RemoteDisconnectedError} (also across realms)? */
export const isRemoteDisconnectedError = errorGuard(RemoteDisconnectedError, 'RemoteDisconnectedError');
