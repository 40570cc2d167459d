/**
 * `node.close()`'s autoclose: batches → activities → networks → agreements → demands → allocations, each
 * phase in parallel, each failure collected into a report. One retry layer per call: terminate
 * retries itself, cancel is retried here (both on the node's scheduler), destroy and release
 * (DELETE) are retried by the client; what still fails after that is in the report.
 *
 * @module
 */
import {
  type Observable,
  catchError,
  concat,
  defer,
  forkJoin,
  ignoreElements,
  lastValueFrom,
  map,
  of,
} from 'rxjs';
import { isYagnaConflictError } from '../api/errors/YagnaConflictError.js';
import { isYagnaGoneError } from '../api/errors/YagnaGoneError.js';
import { Activity } from './Activity.js';
import { Agreement } from './Agreement.js';
import { Allocation } from './Allocation.js';
import { Batch } from './Batch.js';
import { Demand } from './Demand.js';
import type { BackgroundOperation } from './events.js';
import type { NodeConfig } from './nodeOptions.js';
import type { Invoice } from './Invoice.js';
import type { Resource } from './Resource.js';
import { retryTransient } from './retryTransient.js';

/**
 * Why `close()` could not settle an approved agreement the node made:
 * - `noInvoice`: no invoice arrived within `payments.invoiceTimeout` (or the agreement could not
 *   be terminated, so none could come);
 * - `timeout`: the invoice arrived but was not dealt with within the wait (its accept in flight);
 * - `refused`: the policy refused the invoice (`error`: `PaymentRefusedError` over price,
 *   `BudgetExceededError` over the allocation);
 * - `failed`: accepting it failed, or the payer stopped with an error (`error`);
 * - `notPaid`: the node does not pay (`payments: false`) and its invoice is not known to be
 *   `ACCEPTED` or `SETTLED`;
 * - `noAllocation`: its demand has no allocation the node knows (a demand not created by this
 *   node, or created without `allocations`), and its invoice is not known to be accepted.
 */
export type UnsettledReason = 'noInvoice' | 'timeout' | 'refused' | 'failed' | 'notPaid' | 'noAllocation';

/** An approved agreement of the node whose invoice `close()` did not see accepted. */
export interface UnsettledAgreement {
  /** The agreement. */
  readonly agreement: Agreement;
  /** Why (see {@link UnsettledReason}). */
  readonly reason: UnsettledReason;
  /** The refusal or the failure, when there was one. */
  readonly error?: unknown;
  /** Its invoice, when it arrived. */
  readonly invoice?: Invoice;
}

/** A resource `close()` could not close. */
export interface CloseFailure {
  /** The resource (still open as far as the node knows). */
  readonly resource: Resource;
  /** The step that failed. */
  readonly operation: BackgroundOperation;
  /** Its last error. */
  readonly error: unknown;
}

/** What `node.close()` could not close or settle (empty lists when everything was). */
export interface CloseReport {
  /** True when every autoclosed resource was closed and every approved agreement settled. */
  readonly ok: boolean;
  /** One entry per resource left open. */
  readonly failures: readonly CloseFailure[];
  /**
   * One entry per approved agreement this node made whose invoice was not accepted (see
   * `nodeSettle.ts`); always empty from `closeResources` itself.
   */
  readonly unsettled: readonly UnsettledAgreement[];
}

/**
 * Which phases `closeResources` runs: all of them; all but the allocations' release (`close()`
 * settles the agreements in between, while the allocations can still pay); or only that release.
 */
export type ClosePhases = 'all' | 'beforeAllocations' | 'allocations';

type Step = Observable<CloseFailure | undefined>;

/** The reason given to providers whose agreements `close()` ends. */
const CLOSE_REASON = 'Closed by the requestor';

/** Runs one step; a failure becomes a {@link CloseFailure} value. */
function step(resource: Resource, operation: BackgroundOperation, call$: Observable<unknown>): Step {
  return concat(call$.pipe(ignoreElements()), of(undefined)).pipe(
    catchError((error: unknown) => of({ resource, operation, error })),
  );
}

/**
 * Withdraws an agreement: terminates an approved one; cancels one not known to be approved,
 * falling back to terminate when it was approved meanwhile (cancel answers 409/410).
 */
function closeAgreement(agreement: Agreement, config: NodeConfig): Step {
  const terminate = step(agreement, 'terminate', agreement.terminate(CLOSE_REASON));
  if (agreement.approved) return terminate;
  const cancel$ = agreement.cancel(CLOSE_REASON).pipe(retryTransient(config));
  return concat(cancel$.pipe(ignoreElements()), of(undefined)).pipe(
    catchError((error: unknown) =>
      isYagnaGoneError(error) || isYagnaConflictError(error)
        ? terminate
        : of({ resource: agreement, operation: 'cancel' as const, error }),
    ),
  );
}

/**
 * A VPN network (`src/network`, a layer above this one, so known here by its kind): removed after
 * the activities (their exe-units leave it) and before the agreements.
 */
interface NetworkResource extends Resource {
  readonly kind: 'Network';
  remove(): Observable<void>;
}

function isNetwork(resource: Resource): resource is NetworkResource {
  return resource.kind === 'Network' && !resource.closed && 'remove' in resource;
}

function phase(steps: Step[]): Observable<CloseFailure[]> {
  if (steps.length === 0) return of([]);
  return forkJoin(steps).pipe(map((results) => results.filter((r): r is CloseFailure => r !== undefined)));
}

/**
 * Closes the open autoclosed resources in order: batches (stop following them), activities
 * (destroy), networks (remove), agreements (terminate or cancel), demands (unsubscribe),
 * allocations (release).
 * Each phase runs its steps in parallel and starts when the previous one has finished.
 *
 * @param phases which phases to run (see {@link ClosePhases}) @default 'all'
 */
export async function closeResources(
  resources: Iterable<Resource>,
  config: NodeConfig,
  phases: ClosePhases = 'all',
): Promise<CloseReport> {
  const open = [...resources].filter((r) => !r.closed);
  const of$ = <R extends Resource>(cls: abstract new (...args: never[]) => R): R[] =>
    open.filter((r): r is R => r instanceof cls && !r.closed);
  const failures: CloseFailure[] = [];
  if (phases !== 'allocations') for (const batch of of$(Batch)) batch.abandon();
  const before: (() => Observable<CloseFailure[]>)[] = [
    () => phase(of$(Activity).map((a) => step(a, 'destroy', a.destroy()))),
    () => phase(open.filter(isNetwork).map((n) => step(n, 'remove', n.remove()))),
    () => phase(of$(Agreement).map((a) => closeAgreement(a, config))),
    () => phase(of$(Demand).map((d) => step(d, 'unsubscribe', d.unsubscribe()))),
  ];
  const release = () => phase(of$(Allocation).map((a) => step(a, 'release', a.release())));
  const run = phases === 'all' ? [...before, release] : phases === 'beforeAllocations' ? before : [release];
  for (const next of run) failures.push(...(await lastValueFrom(defer(next))));
  return { ok: failures.length === 0, failures, unsettled: [] };
}
