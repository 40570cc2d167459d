import { type OperatorFunction, type SchedulerLike, asyncScheduler } from 'rxjs';
import type { AgreementOf, DraftProposal } from '../ports/index.js';
import type { OnOperatorEvent } from './events.js';
import { UNWANTED_REASON, signAgreement } from './internals/createAgreementInternals.js';
import {
  checkCount,
  checkDuration,
  detach,
  eventReporter,
  rejectDraft,
} from './internals/operatorInternals.js';
import { claimLease } from './internals/handOff.js';
import { workQueue } from './internals/workQueue.js';
import { type NegotiatedDraft, isNegotiatedDraft } from './lease.js';

/**
 * Turns drafts into approved agreements: creates the agreement, confirms it and waits for the
 * provider's approval, `concurrency` drafts at a time, and releases each draft's lease when done
 * with it.
 *
 * <span class="informal">The AgreementCreator of yapapi as an operator. A failure (the call
 * failed, the provider rejected, no approval within `approvalTimeout`) is reported as an
 * `agreementFailed` event and the operator moves on to the next draft, after cancelling the
 * failed agreement (falling back to terminating it) when it may still be alive.</span>
 *
 * ```text
 * source:   -ab---|
 *            a: createAgreement -A|  confirm -|  waitForApproval --|
 *                b: (queued until a is done)  -B|  confirm -|  waitForApproval --|
 * result:   -----A---(B|)
 * ```
 *
 * Cold. Drafts wait in arrival order while `concurrency` are being signed; their leases stay
 * held meanwhile, so `negotiate(n)` does not counter more than the queue can take. It completes
 * when the source has completed and the last draft is done (including the cancel of a failed
 * one). Errors: only the source's, and what `onEvent` throws; per-draft failures are events.
 * Unsubscribing aborts the calls in flight, cancels the agreements it created but did not emit,
 * and rejects the drafts it had not begun (best-effort: failures become `cleanupFailed` events;
 * a 404 or 410, the resource already gone, counts as done, except that a cancel answered 410 is
 * followed by a terminate, as the agreement may have been approved). An emitted agreement
 * belongs to the consumer, who terminates it when done.
 *
 * @param config - see {@link CreateAgreementConfig}.
 * @returns an operator from drafts (leased by `negotiate`, or bare) to approved agreements.
 *
 * @example
 * ```ts
 * const agreements$ = proposals$.pipe(score(byPrice), negotiate(4), createAgreement({ concurrency: 2 }), take(2));
 * ```
 *
 * @see {@link negotiate}
 * @see {@link createActivity}
 */
export function createAgreement<D extends DraftProposal>(
  config: CreateAgreementConfig = {},
): OperatorFunction<D | NegotiatedDraft<D>, AgreementOf<D>> {
  const settings = {
    validFor: checkDuration('createAgreement', 'validFor', config.validFor),
    approvalTimeout: checkDuration('createAgreement', 'approvalTimeout', config.approvalTimeout ?? 60_000)!,
    scheduler: config.scheduler ?? asyncScheduler,
    onEvent: config.onEvent,
  };
  const report = eventReporter(config.onEvent, undefined, settings.scheduler);
  return workQueue({
    concurrency: checkCount('createAgreement', 'concurrency', config.concurrency ?? 1),
    work: (item: D | NegotiatedDraft<D>) =>
      signAgreement(isNegotiatedDraft(item) ? item.draft : item, settings),
    leaseOf: (item) => (isNegotiatedDraft(item) ? item.lease : claimLease(item)),
    abandon: (item) => {
      const draft = isNegotiatedDraft(item) ? item.draft : item;
      detach(rejectDraft(draft, UNWANTED_REASON, report), settings.scheduler);
    },
  });
}

/** The options of {@link createAgreement}. */
export interface CreateAgreementConfig {
  /**
   * How many drafts are signed at once. With `negotiate(n)` upstream, more than `n` never run.
   * @default 1
   */
  concurrency?: number;
  /**
   * How long the agreement may wait for the provider's decision before it expires, in
   * milliseconds (yagna's `validTo` = `scheduler.now() + validFor`).
   * @default undefined (the port's default)
   */
  validFor?: number;
  /**
   * How long to wait for approval after confirming, in milliseconds; then the agreement fails
   * with `AgreementNotApprovedError` (outcome `Timeout`) and is cancelled.
   * @default 60000
   */
  approvalTimeout?: number;
  /**
   * The clock of `validTo` and the approval timer.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
  /** Receives `agreementFailed` and `cleanupFailed` events. */
  onEvent?: OnOperatorEvent;
}
