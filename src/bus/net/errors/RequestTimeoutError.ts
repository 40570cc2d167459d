import { GolemRxError, errorGuard } from '../../../errors/GolemRxError.js';

/** Context of a {@link RequestTimeoutError}. */
export interface RequestTimeoutContext {
  /** Wire type tag of the request. */
  readonly eventType: string;
  /** The request id, unique within the requesting endpoint. */
  readonly requestId: string;
  /** The endpoint the request was sent to (the requester's own name for a local responder). */
  readonly target: string;
  /** The timeout that elapsed, in milliseconds. */
  readonly timeoutMs: number;
}

/** Raised by `Endpoint.request` when no response arrived within the request's timeout. */
export class RequestTimeoutError extends GolemRxError {
  override readonly name = 'RequestTimeoutError' as const;

  constructor(readonly context: RequestTimeoutContext) {
    super(
      `Request ${context.requestId} (${context.eventType}) to ${context.target} got no response within ${context.timeoutMs} ms`,
    );
  }
}

/** Is `err` a {@link RequestTimeoutError} (also across realms)? */
export const isRequestTimeoutError = errorGuard(RequestTimeoutError, 'RequestTimeoutError');
