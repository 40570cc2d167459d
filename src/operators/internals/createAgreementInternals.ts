/**
 * One agreement's life in `createAgreement`: create → confirm → wait for approval, and the
 * cleanup that keeps a failed or abandoned agreement from dangling.
 *
 * @module
 */
import {
  EMPTY,
  type Observable,
  type SchedulerLike,
  concat,
  defer,
  endWith,
  ignoreElements,
  throwError,
  timeout,
} from 'rxjs';
import {
  AgreementNotApprovedError,
  isAgreementNotApprovedError,
} from '../../errors/AgreementNotApprovedError.js';
import type { AgreementOf, AgreementPort, DraftProposal } from '../../ports/index.js';
import type { OnOperatorEvent } from '../events.js';
import { disposeAgreement, rejectDraft } from './operatorInternals.js';
import { spendOnce } from './spendOnce.js';

/** The reason sent to the provider when we withdraw a failed agreement. */
export const FAILED_REASON = 'Agreement could not be completed';
/** The reason sent to the provider when the consumer no longer wants the draft or agreement. */
export const UNWANTED_REASON = 'No longer needed by the requestor';

/** The settings `createAgreement` runs with, resolved. */
export interface AgreementSettings {
  readonly validFor: number | undefined;
  readonly approvalTimeout: number;
  readonly scheduler: SchedulerLike;
  readonly onEvent: OnOperatorEvent | undefined;
}

/** Does an agreement that failed this way still need cancelling (it may be pending or approved)? */
function mayBeAlive(error: unknown): boolean {
  return !isAgreementNotApprovedError(error) || error.outcome === 'Timeout';
}

function approve<A extends AgreementPort>(agreement: A, settings: AgreementSettings): Observable<A> {
  const { approvalTimeout, scheduler } = settings;
  const approval$ = defer(() => agreement.waitForApproval(approvalTimeout)).pipe(
    ignoreElements(),
    timeout({
      first: approvalTimeout,
      scheduler,
      with: () =>
        throwError(
          () =>
            new AgreementNotApprovedError({
              agreementId: agreement.id,
              providerId: agreement.providerId,
              outcome: 'Timeout',
            }),
        ),
    }),
  );
  return concat(defer(() => agreement.confirm()).pipe(ignoreElements()), approval$).pipe(endWith(agreement));
}

/**
 * Signs one draft: emits the approved agreement and completes, or reports `agreementFailed`,
 * cancels what it created and completes empty. Unsubscribed midway, it aborts the call in flight
 * and withdraws what it started (cancels the agreement, or rejects the draft). The draft's lease
 * is `createAgreement`'s business (its work queue releases it once the agreement is consumed).
 */
export function signAgreement<D extends DraftProposal>(
  draft: D,
  settings: AgreementSettings,
): Observable<AgreementOf<D>> {
  const { validFor, scheduler } = settings;
  return spendOnce<AgreementOf<D>>(
    {
      operation: 'createAgreement',
      resourceId: draft.id,
      create: () => {
        const validTo = validFor === undefined ? undefined : scheduler.now() + validFor;
        return draft.createAgreement({ validTo }) as Observable<AgreementOf<D>>;
      },
      finish: (created) => approve(created, settings),
      failed: (agreement, error, report) => {
        report({ type: 'agreementFailed', draft, agreement, error });
        return agreement && mayBeAlive(error) ? disposeAgreement(agreement, FAILED_REASON, report) : EMPTY;
      },
      unwanted: (agreement, report) =>
        agreement
          ? disposeAgreement(agreement, UNWANTED_REASON, report)
          : rejectDraft(draft, UNWANTED_REASON, report),
    },
    settings,
  );
}
