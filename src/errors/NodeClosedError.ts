import { GolemRxError, errorGuard } from './GolemRxError.js';

/**
 * A `GolemNode` was used after `close()` began: it creates no new resource and starts no new poll.
 * Make a new node instead.
 */
export class NodeClosedError extends GolemRxError {
  override readonly name = 'NodeClosedError' as const;
  /** What was attempted, e.g. `createDemand`. */
  readonly operation: string;

  constructor(context: { operation: string }, options?: { cause?: unknown }) {
    super(`GolemNode is closed: cannot ${context.operation}`, options);
    this.operation = context.operation;
  }
}

/** Is `err` a {@link NodeClosedError} (by class, or by name across realms)? */
export const isNodeClosedError = errorGuard(NodeClosedError, 'NodeClosedError');
