import { GolemRxError, errorGuard } from './GolemRxError.js';

/** The port calls whose Observable must emit a value before it completes. */
export type PortOperation = 'respond' | 'createAgreement' | 'createActivity';

/**
 * A port Observable that promises a value (`respond` a draft, `createAgreement` an agreement,
 * `createActivity` an activity) completed without one. The operators treat it as a per-item
 * failure, like any other failure of that call.
 */
export class EmptyResponseError extends GolemRxError {
  override readonly name = 'EmptyResponseError' as const;
  /** The port call that came back empty. */
  readonly operation: PortOperation;
  /** The resource it was called on (proposal, draft or agreement id). */
  readonly resourceId: string;

  constructor(context: { operation: PortOperation; resourceId: string }, options?: { cause?: unknown }) {
    super(`${context.operation}() on ${context.resourceId} completed without a value`, options);
    this.operation = context.operation;
    this.resourceId = context.resourceId;
  }
}

/** Is `err` an {@link EmptyResponseError} (by class, or by name across realms)? */
export const isEmptyResponseError = errorGuard(EmptyResponseError, 'EmptyResponseError');
