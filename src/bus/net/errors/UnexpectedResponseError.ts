import { GolemRxError, errorGuard } from '../../../errors/GolemRxError.js';

/** Context of an {@link UnexpectedResponseError}. */
export interface UnexpectedResponseContext {
  /** Wire type tag of the request. */
  readonly requestType: string;
  /** Class name of the response expected by the request. */
  readonly expected: string;
  /** Class name of the response that arrived. */
  readonly received: string;
}

/** Raised by `Endpoint.request` when the response is not an instance of the expected class. */
export class UnexpectedResponseError extends GolemRxError {
  override readonly name = 'UnexpectedResponseError' as const;

  constructor(readonly context: UnexpectedResponseContext) {
    super(`Response to ${context.requestType} is a ${context.received}, expected a ${context.expected}`);
  }
}

/** Is `err` an {@link UnexpectedResponseError} (also across realms)? */
export const isUnexpectedResponseError = errorGuard(UnexpectedResponseError, 'UnexpectedResponseError');
