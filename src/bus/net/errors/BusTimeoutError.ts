import { GolemRxError, errorGuard } from '../../../errors/GolemRxError.js';

/** Context of a {@link BusTimeoutError}. */
export interface BusTimeoutContext {
  /** The endpoint that waited. */
  readonly endpoint: string;
  /** What was awaited, e.g. `waitUntilConnectedTo(e2)` or `connect(e2)`. */
  readonly operation: string;
  /** The timeout that elapsed, in milliseconds. */
  readonly timeoutMs: number;
}

/** Raised by the bus's wait APIs and by `connectToEndpoints` when their `timeout` elapses. */
export class BusTimeoutError extends GolemRxError {
  override readonly name = 'BusTimeoutError' as const;

  constructor(
    readonly context: BusTimeoutContext,
    options?: { cause?: unknown },
  ) {
    super(`${context.endpoint}: ${context.operation} timed out after ${context.timeoutMs} ms`, options);
  }
}

/** Is `err` a {@link BusTimeoutError} (also across realms)? */
export const isBusTimeoutError = errorGuard(BusTimeoutError, 'BusTimeoutError');
