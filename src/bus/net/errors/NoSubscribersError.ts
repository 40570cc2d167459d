import { GolemRxError, errorGuard } from '../../../errors/GolemRxError.js';

/** Context of a {@link NoSubscribersError}. */
export interface NoSubscribersContext {
  /** The wire type tag (or class name, if unregistered) of the event nobody listens to. */
  readonly eventType: string;
  /** The endpoint the event was addressed to, when it was targeted. */
  readonly target?: string;
}

/**
 * Raised by `broadcast` with `requireSubscriber: true` and by `request` when no endpoint (local or
 * remote) that the broadcast config allows is subscribed to the event's type, or when the
 * targeted endpoint is not connected or not subscribed.
 */
export class NoSubscribersError extends GolemRxError {
  override readonly name = 'NoSubscribersError' as const;

  constructor(
    readonly context: NoSubscribersContext,
    options?: { cause?: unknown },
  ) {
    super(
      context.target === undefined
        ? `No endpoint is subscribed to ${context.eventType}`
        : `Endpoint ${context.target} is not connected or not subscribed to ${context.eventType}`,
      options,
    );
  }
}

/** Is `err` a {@link NoSubscribersError} (also across realms)? */
export const isNoSubscribersError = errorGuard(NoSubscribersError, 'NoSubscribersError');
