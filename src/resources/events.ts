/**
 * The bus events the resource layer adds to those of `src/bus`.
 *
 * @module
 */
import { ResourceEvent } from '../bus/events.js';
import type { Agreement } from './Agreement.js';
import type { Invoice } from './Invoice.js';
import type { UnsettledReason } from './nodeClose.js';
import type { Resource } from './Resource.js';

/**
 * What the node was doing for a resource, in the background, when it failed (`pay`: the node's
 * payer stopped, e.g. its payment polls failed for good, with this agreement not paid).
 */
export type BackgroundOperation =
  'collectEvents' | 'unsubscribe' | 'release' | 'destroy' | 'remove' | 'terminate' | 'cancel' | 'pay';

/**
 * Something the node did in the background for a resource failed: the event collection of an
 * autostarted demand, or a best-effort cleanup started from a teardown (e.g. `node.demand$`
 * unsubscribing its demand when the last subscriber left). Nobody awaited it, so it is reported
 * here instead of being swallowed.
 *
 * @example
 * ```ts
 * node.events.events$.pipe(ofType(ResourceOperationFailed)).subscribe((e) => console.error(e.operation, e.error));
 * ```
 */
export class ResourceOperationFailed extends ResourceEvent<Resource> {
  readonly type = 'ResourceOperationFailed' as const;

  /**
   * @param resource the resource
   * @param operation what was being done
   * @param error what it failed with
   */
  constructor(
    resource: Resource,
    readonly operation: BackgroundOperation,
    readonly error: unknown,
  ) {
    super(resource);
  }
}

/**
 * `close()` could not settle an approved agreement this node made: its invoice did not come in
 * time, was refused or could not be accepted, or the node does not pay (`payments: false`) and
 * does not know it to be accepted. One per agreement, in the order of `report.unsettled`, which
 * lists the same.
 *
 * @example
 * ```ts
 * node.events.events$.pipe(ofType(AgreementUnsettled)).subscribe((e) => console.warn(e.resource.id, e.reason));
 * ```
 */
export class AgreementUnsettled extends ResourceEvent<Agreement> {
  readonly type = 'AgreementUnsettled' as const;

  /**
   * @param agreement the agreement
   * @param reason why it is not settled (see {@link UnsettledReason})
   * @param error what the refusal or the failure was, when there was one
   * @param invoice its invoice, when it arrived
   */
  constructor(
    agreement: Agreement,
    readonly reason: UnsettledReason,
    readonly error?: unknown,
    readonly invoice?: Invoice,
  ) {
    super(agreement);
  }
}
