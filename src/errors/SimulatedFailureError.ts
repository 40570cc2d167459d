import { GolemRxError, errorGuard } from './GolemRxError.js';

/**
 * A failure staged by the in-memory yagna of `golem-rx/testing` (`createInMemoryYagna`): an activity
 * that does not deploy, a call on a resource in the wrong state (cancelling an approved
 * agreement, confirming one twice). It stands for the HTTP errors real yagna would answer with.
 *
 * @example
 * ```ts
 * createAgreement({ onEvent: (e) => e.type === 'activityFailed' && isSimulatedFailureError(e.error) && seen.push(e) });
 * ```
 */
export class SimulatedFailureError extends GolemRxError {
  override readonly name = 'SimulatedFailureError' as const;
  /** The call that failed, e.g. `deployAndStart`, `cancel`. */
  readonly operation: string;
  /** The resource it was called on. */
  readonly resourceId: string;

  constructor(
    context: { operation: string; resourceId: string; detail: string },
    options?: { cause?: unknown },
  ) {
    super(`${context.operation} on ${context.resourceId} failed (simulated): ${context.detail}`, options);
    this.operation = context.operation;
    this.resourceId = context.resourceId;
  }
}

/** Is `err` a {@link SimulatedFailureError} (by class, or by name across realms)? */
export const isSimulatedFailureError = errorGuard(SimulatedFailureError, 'SimulatedFailureError');
