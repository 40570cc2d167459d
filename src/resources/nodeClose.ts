/**
 * `node.close()`'s autoclose: batches → activities → agreements → demands → allocations, each
 * phase in parallel, each failure collected into a report.
 *
 * @internal
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
  retry,
  throwError,
  timer,
} from 'rxjs';
import { isYagnaConflictError } from '../errors/YagnaConflictError.js';
import { isYagnaGoneError } from '../errors/YagnaGoneError.js';
import { backoffDelay } from '../sources/backoff.js';
import { isTransientPollError } from '../sources/errorClassifiers.js';
import { Activity } from './Activity.js';
import { Agreement } from './Agreement.js';
import { Allocation } from './Allocation.js';
import { Batch } from './Batch.js';
import { Demand } from './Demand.js';
import type { BackgroundOperation } from './events.js';
import type { NodeConfig } from './nodeOptions.js';
import type { Resource } from './Resource.js';

/** A resource `close()` could not close. */
export interface CloseFailure {
  /** The resource (still open as far as the node knows). */
  readonly resource: Resource;
  /** The step that failed. */
  readonly operation: BackgroundOperation;
  /** Its last error. */
  readonly error: unknown;
}

/** What `node.close()` could not close (an empty list when everything was closed). */
export interface CloseReport {
  /** True when every autoclosed resource was closed. */
  readonly ok: boolean;
  /** One entry per resource left open. */
  readonly failures: readonly CloseFailure[];
}

type Step = Observable<CloseFailure | undefined>;

/** The reason given to providers whose agreements `close()` ends. */
const CLOSE_REASON = 'Closed by the requestor';

/** Retries transient failures of a non-idempotent call with backoff on the node's scheduler. */
function withRetry<T>(call$: Observable<T>, config: NodeConfig): Observable<T> {
  const { scheduler, backoff, random } = config.poll;
  return call$.pipe(
    retry({
      count: config.closeRetries,
      delay: (error: unknown, attempt: number) =>
        isTransientPollError(error)
          ? timer(backoffDelay(attempt, backoff, random), scheduler)
          : throwError(() => error),
    }),
  );
}

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
  const terminate = step(agreement, 'terminate', withRetry(agreement.terminate(CLOSE_REASON), config));
  if (agreement.approved) return terminate;
  return concat(withRetry(agreement.cancel(CLOSE_REASON), config).pipe(ignoreElements()), of(undefined)).pipe(
    catchError((error: unknown) =>
      isYagnaGoneError(error) || isYagnaConflictError(error)
        ? terminate
        : of({ resource: agreement, operation: 'cancel' as const, error }),
    ),
  );
}

function phase(steps: Step[]): Observable<CloseFailure[]> {
  if (steps.length === 0) return of([]);
  return forkJoin(steps).pipe(map((results) => results.filter((r): r is CloseFailure => r !== undefined)));
}

/**
 * Closes the open autoclosed resources in order: batches (stop following them), activities
 * (destroy), agreements (terminate or cancel), demands (unsubscribe), allocations (release).
 * Each phase runs its steps in parallel and starts when the previous one has finished.
 */
export async function closeResources(
  resources: Iterable<Resource>,
  config: NodeConfig,
): Promise<CloseReport> {
  const open = [...resources].filter((r) => !r.closed);
  const of$ = <R extends Resource>(cls: abstract new (...args: never[]) => R): R[] =>
    open.filter((r): r is R => r instanceof cls && !r.closed);
  const failures: CloseFailure[] = [];
  for (const batch of of$(Batch)) batch.abandon();
  const phases: (() => Observable<CloseFailure[]>)[] = [
    () => phase(of$(Activity).map((a) => step(a, 'destroy', a.destroy()))),
    () => phase(of$(Agreement).map((a) => closeAgreement(a, config))),
    () => phase(of$(Demand).map((d) => step(d, 'unsubscribe', d.unsubscribe()))),
    () => phase(of$(Allocation).map((a) => step(a, 'release', a.release()))),
  ];
  for (const run of phases) failures.push(...(await lastValueFrom(defer(run))));
  return { ok: failures.length === 0, failures };
}
