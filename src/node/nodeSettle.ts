/**
 * `node.close()`'s settlement: after the agreements are terminated and before the allocations are
 * released (they must stay alive to pay), wait a bounded time for the invoice of every approved
 * agreement the node made, let the payer accept them, and report the rest.
 *
 * @module
 */
import {
  type Observable,
  catchError,
  filter,
  forkJoin,
  lastValueFrom,
  map,
  of,
  race,
  startWith,
  take,
  timer,
} from 'rxjs';
import { AgreementUnsettled } from '../resources/events.js';
import type { GolemNode } from './GolemNode.js';
import { type CloseReport, type UnsettledAgreement, closeResources } from '../resources/nodeClose.js';
import type { NodePayments } from './nodePayments.js';
import type { Resource } from '../resources/Resource.js';

/**
 * Closes the node's autoclosed resources and settles its agreements: every phase up to the
 * demands (`closeResources`), then {@link settleAgreements}, then the allocations' release.
 *
 * @returns the close report with the unsettled agreements; `ok` is false when any
 */
export async function closeAndSettle(
  node: GolemNode,
  payer: NodePayments,
  resources: Iterable<Resource>,
): Promise<CloseReport> {
  const closed = await closeResources(resources, node.config, 'beforeAllocations');
  const unsettled = await settleAgreements(node, payer);
  const released = await closeResources(resources, node.config, 'allocations');
  const failures = [...closed.failures, ...released.failures];
  return { ok: failures.length === 0 && unsettled.length === 0, failures, unsettled };
}

/**
 * Waits, at most `payments.invoiceTimeout` ms of the node's scheduler, until the payer has dealt
 * with the invoice of every terminated agreement it pays (an agreement left open cannot be
 * invoiced and is not waited for); then stops the payer and returns what is not settled, with an
 * `AgreementUnsettled` event on the node's bus for each. With payments off (or no allocation
 * known), an invoice the node knows is read once: `ACCEPTED` or `SETTLED` counts as settled.
 */
export async function settleAgreements(node: GolemNode, payer: NodePayments): Promise<UnsettledAgreement[]> {
  if (payer.enabled) {
    payer.resume();
    const allDealtWith$ = payer.changes$.pipe(
      startWith(undefined),
      filter(() => payer.awaited() === 0),
      take(1),
    );
    const deadline$ = timer(node.config.payments.invoiceTimeout, node.scheduler);
    await lastValueFrom(race(allDealtWith$, deadline$), { defaultValue: undefined });
  }
  const left = payer.end();
  const checked = await lastValueFrom(
    left.length === 0 ? of([]) : forkJoin(left.map((item) => confirmed(item))),
  );
  const unsettled = checked.filter((item): item is UnsettledAgreement => item !== undefined);
  for (const { agreement, reason, error, invoice } of unsettled) {
    node.events.emit(new AgreementUnsettled(agreement, reason, error, invoice));
  }
  return unsettled;
}

/**
 * For an agreement the node did not pay itself, reads its known invoice's status: `undefined`
 * (settled) when it is `ACCEPTED` or `SETTLED`; otherwise the item, with the read's error if any.
 */
function confirmed(item: UnsettledAgreement): Observable<UnsettledAgreement | undefined> {
  const { invoice } = item;
  if ((item.reason !== 'notPaid' && item.reason !== 'noAllocation') || invoice === undefined) return of(item);
  return invoice.load$().pipe(
    map((data) => (data.status === 'ACCEPTED' || data.status === 'SETTLED' ? undefined : item)),
    catchError((error: unknown) => of({ ...item, error })),
  );
}
