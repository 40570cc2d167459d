/**
 * How the engine ends a worker on the resources: destroy the activity, then terminate the
 * agreement with a `golem.requestor.code` (`Success`, `Failure`, `Cancelled`), never claiming
 * success for a failure.
 *
 * @module
 */
import { EMPTY, type Observable, catchError, concat, defer, ignoreElements, tap, throwError } from 'rxjs';
import { isYagnaGoneError } from '../api/errors/YagnaGoneError.js';
import { isYagnaNotFoundError } from '../api/errors/YagnaNotFoundError.js';
import { fromCall } from '../rx/fromCall.js';
import type { Activity } from '../resources/Activity.js';
import type { Agreement } from '../resources/Agreement.js';
import type { ReleaseOutcome } from './core/ports.js';

/**
 * Terminates `agreement` with `outcome` (`POST /agreements/{id}/terminate` with
 * `{ message, "golem.requestor.code" }`). An agreement already ended (404/410, e.g. by the
 * provider after a crash) counts as terminated.
 */
export function terminateAgreement(agreement: Agreement, outcome: ReleaseOutcome): Observable<never> {
  return defer(() =>
    fromCall((signal) =>
      agreement.node.api.market.terminateAgreement(
        agreement.id,
        { message: outcome.reason, 'golem.requestor.code': outcome.code },
        { signal },
      ),
    ),
  ).pipe(
    ignoreElements(),
    catchError((error: unknown) =>
      isYagnaGoneError(error) || isYagnaNotFoundError(error) ? EMPTY : throwError(() => error),
    ),
    // The resource learns it is closed, as `agreement.terminate()` would have told it.
    tap({ complete: () => agreement.markClosed() }),
  );
}

/**
 * Destroys the activity (its failure reported by `reportDestroyFailure`, the agreement is
 * terminated anyway), then terminates its agreement with `outcome`.
 */
export function releaseWorker(
  activity: Activity,
  outcome: ReleaseOutcome,
  reportDestroyFailure: (error: unknown) => void,
): Observable<never> {
  const destroy$ = defer(() => activity.destroy()).pipe(
    ignoreElements(),
    catchError((error: unknown) => {
      reportDestroyFailure(error);
      return EMPTY;
    }),
  );
  return concat(destroy$, terminateAgreement(activity.agreement, outcome));
}
