import { GolemRxError, errorGuard } from '../../../errors/GolemRxError.js';

/** Context of a {@link SubscriberError}. */
export interface SubscriberErrorContext {
  /** The endpoint whose handler failed. */
  readonly endpoint: string;
  /** The event type (tag, or class name if unregistered) being handled. */
  readonly eventType: string;
}

/**
 * A `subscribe` handler threw or its Promise rejected. The error is reported on
 * `Endpoint.errors$` with the original as `cause`; other handlers still receive the event.
 */
export class SubscriberError extends GolemRxError {
  override readonly name = 'SubscriberError' as const;

  constructor(
    readonly context: SubscriberErrorContext,
    options: { cause: unknown },
  ) {
    super(`A handler of ${context.eventType} on ${context.endpoint} failed`, options);
  }
}

/** Is `err` a {@link SubscriberError} (also across realms)? */
export const isSubscriberError = errorGuard(SubscriberError, 'SubscriberError');
