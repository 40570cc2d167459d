import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * A shared promise store answered "conflict" to the same operation again and again: each time the
 * registry decided anew, another writer had changed the promise first (or the store does not report
 * the change that beat the write). A registry retries a conflict at once, up to 100 times, before it
 * gives up with this error; with {@link NatsKvPromiseStore} it means many processes keep creating
 * or changing this worker's promises at the same instant. Nothing was written by the failed call.
 */
export class PromiseConflictError extends GolemRxError {
  override readonly name = 'PromiseConflictError' as const;
  /** The worker whose promise was being changed. */
  readonly workerName: string;
  /** What was being written: a creation, a completion or a deletion. */
  readonly operation: 'created' | 'completed' | 'deleted';
  /** The promise's index in the last attempt. */
  readonly oplogIdx: number;
  /** How many times the store answered conflict. */
  readonly attempts: number;

  constructor(
    context: {
      workerName: string;
      operation: 'created' | 'completed' | 'deleted';
      oplogIdx: number;
      attempts: number;
    },
    options?: { cause?: unknown },
  ) {
    super(
      `Promise ${context.workerName}/${context.oplogIdx}: the store answered conflict ${context.attempts} times (other writers kept changing it first)`,
      options,
    );
    this.workerName = context.workerName;
    this.operation = context.operation;
    this.oplogIdx = context.oplogIdx;
    this.attempts = context.attempts;
  }
}

/** Is `err` a {@link PromiseConflictError} (by class, or by name across realms)? */
export const isPromiseConflictError = errorGuard(PromiseConflictError, 'PromiseConflictError');
