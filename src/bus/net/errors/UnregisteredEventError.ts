import { GolemRxError, errorGuard } from '../../../errors/GolemRxError.js';

/** Context of an {@link UnregisteredEventError}. */
export interface UnregisteredEventContext {
  /** The JavaScript class name of the event. */
  readonly className: string;
}

/**
 * Raised when an event class that has no wire type tag is asked to leave the process
 * (a non-internal broadcast, a request, a subscription query by type). Register it with
 * `registerEvent` first.
 */
export class UnregisteredEventError extends GolemRxError {
  override readonly name = 'UnregisteredEventError' as const;

  constructor(readonly context: UnregisteredEventContext) {
    super(`Event class ${context.className} is not registered under a wire type tag`);
  }
}

/** Is `err` an {@link UnregisteredEventError} (also across realms)? */
export const isUnregisteredEventError = errorGuard(UnregisteredEventError, 'UnregisteredEventError');
