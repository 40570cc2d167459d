import { GolemRxError, errorGuard } from '../../../errors/GolemRxError.js';

/** Context of an {@link EndpointClosedError}. */
export interface EndpointClosedContext {
  /** The endpoint's name. */
  readonly endpoint: string;
  /** What was attempted: `broadcast`, `request`, `waitUntilConnectedTo(e2)`, ... */
  readonly operation: string;
  /** `not-running` before `run()`/`serve()`, `closed` after `close()`. */
  readonly state: 'not-running' | 'closed';
}

/**
 * Raised by an operation on an endpoint that is not running (before `run()`, or after
 * `close()`); pending requests and waits are rejected with it when the endpoint closes.
 */
export class EndpointClosedError extends GolemRxError {
  override readonly name = 'EndpointClosedError' as const;

  constructor(readonly context: EndpointClosedContext) {
    super(
      `Endpoint ${context.endpoint} is ${context.state === 'closed' ? 'closed' : 'not running'}: ${context.operation}`,
    );
  }
}

/** Is `err` an {@link EndpointClosedError} (also across realms)? */
export const isEndpointClosedError = errorGuard(EndpointClosedError, 'EndpointClosedError');
