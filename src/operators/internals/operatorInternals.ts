/**
 * Machinery shared by the spending operators: event reporting, detached best-effort cleanup,
 * expiry and config checks.
 *
 * @module
 */
import {
  EMPTY,
  NEVER,
  type Observable,
  type SchedulerLike,
  type Subscriber,
  catchError,
  concatWith,
  config,
  defer,
  ignoreElements,
  tap,
} from 'rxjs';
import { isYagnaGoneError } from '../../api/errors/YagnaGoneError.js';
import { isYagnaNotFoundError } from '../../api/errors/YagnaNotFoundError.js';
import type { ActivityPort, AgreementPort, DraftProposal, OfferProposal } from '../../ports/index.js';
import type { CleanupAction, OnOperatorEvent, OperatorEvent } from '../events.js';

/**
 * Subscribes to `source` on behalf of `subscriber`: values and completion go to `handlers`,
 * errors (the source's, or what a handler throws) to `subscriber.error`. The subscription is
 * chained to `subscriber` *before* the source starts, so unsubscribing `subscriber` stops even a
 * synchronous source in the middle of its emission loop (the firehose case), which
 * `subscriber.add(source.subscribe(…))` cannot: that subscription only exists once the loop ends.
 * The source's completion does not complete `subscriber`; the handlers decide when it does.
 */
export function subscribeUpstream<T>(
  source: Observable<T>,
  subscriber: Subscriber<never> | Subscriber<unknown>,
  handlers: { next: (value: T) => void; complete: () => void },
): void {
  // Passing a Subscriber to subscribe() makes it the destination of the chain's last operator,
  // which adds itself to it on creation: that is the link.
  source.pipe(tap(handlers), ignoreElements(), concatWith(NEVER)).subscribe(subscriber as Subscriber<never>);
}

/** Reports one event; see {@link eventReporter}. */
export type Report = (event: OperatorEvent) => void;

/**
 * Hands what escaped every channel to RxJS's `config.onUnhandledError`, or throws it
 * asynchronously on `scheduler` as RxJS does by default: never swallowed.
 */
export function reportUnhandled(error: unknown, scheduler: SchedulerLike): void {
  const handler = config.onUnhandledError;
  if (handler) {
    handler(error);
    return;
  }
  scheduler.schedule(() => {
    throw error;
  });
}

/**
 * A {@link Report} that calls the user's `onEvent` and routes what it throws to `subscriber`'s
 * error channel while it is open, otherwise to {@link reportUnhandled}.
 */
export function eventReporter(
  onEvent: OnOperatorEvent | undefined,
  subscriber: Subscriber<unknown> | undefined,
  scheduler: SchedulerLike,
): Report {
  return (event) => {
    if (!onEvent) return;
    try {
      onEvent(event);
    } catch (error: unknown) {
      if (subscriber && !subscriber.closed) subscriber.error(error);
      else reportUnhandled(error, scheduler);
    }
  };
}

/**
 * Runs a cleanup call to its end, independent of the subscription that started it (RxJS teardown
 * cannot wait for it, and aborting it would leave the resource behind). `cleanup$` must not error
 * (build it with {@link attempt}); `onDone` runs when it has finished.
 */
export function detach(cleanup$: Observable<unknown>, scheduler: SchedulerLike, onDone?: () => void): void {
  // Detached on purpose: the returned Subscription is not kept, so no teardown can abort it.
  cleanup$.subscribe({
    error: (error: unknown) => reportUnhandled(error, scheduler),
    complete: onDone,
  });
}

/**
 * Did a cleanup call fail because there is nothing left to clean up? yagna answers **404** for
 * what it does not know (any more: the demand was unsubscribed first, the resource expired) and
 * **410** for what reached a final state (rejected, cancelled, expired, terminated, destroyed).
 * Either way the cleanup is done.
 */
export function isAlreadyDone(error: unknown): boolean {
  return isYagnaNotFoundError(error) || isYagnaGoneError(error);
}

/**
 * One cleanup call whose failure becomes a `cleanupFailed` event; completes either way. A failure
 * that `done` recognises (by default {@link isAlreadyDone}: 404, 410) means the resource is gone
 * already: the cleanup counts as done and nothing is reported.
 */
export function attempt(
  call: () => Observable<unknown>,
  action: CleanupAction,
  resourceId: string,
  report: Report,
  done: (error: unknown) => boolean = isAlreadyDone,
): Observable<never> {
  return defer(call).pipe(
    ignoreElements(),
    catchError((error: unknown) => {
      if (!done(error)) report({ type: 'cleanupFailed', action, resourceId, error });
      return EMPTY;
    }),
  );
}

/**
 * Withdraws an agreement we will not hand on: `cancel` (it may still be pending), falling back to
 * `terminate` when cancel fails (it was approved meanwhile). Completes either way.
 *
 * - cancel 404: yagna does not know the agreement; done.
 * - cancel 410: it can no longer be cancelled: approved meanwhile (then terminated) or already
 *   final (then terminate answers 404/410, done). Only the terminate's failure is reported.
 * - any other cancel failure leaves its state unknown; as yagna also answers 410 to terminating a
 *   *pending* agreement, only a 404 from terminate counts as done then, and when terminate fails
 *   too both failures are reported.
 */
export function disposeAgreement(
  agreement: AgreementPort,
  reason: string,
  report: Report,
): Observable<never> {
  return defer(() => agreement.cancel(reason)).pipe(
    ignoreElements(),
    catchError((cancelError: unknown) => {
      if (isYagnaNotFoundError(cancelError)) return EMPTY;
      const final = isYagnaGoneError(cancelError);
      let reported = final;
      return attempt(
        () => agreement.terminate(reason),
        'terminateAgreement',
        agreement.id,
        (event) => {
          if (!reported) {
            reported = true;
            report({
              type: 'cleanupFailed',
              action: 'cancelAgreement',
              resourceId: agreement.id,
              error: cancelError,
            });
          }
          report(event);
        },
        final ? isAlreadyDone : isYagnaNotFoundError,
      );
    }),
  );
}

/** Rejects a draft we will not sign; completes either way (404/410: already gone, done). */
export function rejectDraft(draft: DraftProposal, reason: string, report: Report): Observable<never> {
  return attempt(() => draft.reject(reason), 'rejectDraft', draft.id, report);
}

/** Destroys an activity we will not hand on; completes either way (404/410: already gone, done). */
export function destroyActivity(activity: ActivityPort, report: Report): Observable<never> {
  return attempt(() => activity.destroy(), 'destroyActivity', activity.id, report);
}

/** Has the proposal expired by the scheduler's clock? */
export function isExpired(proposal: OfferProposal, scheduler: SchedulerLike): boolean {
  return proposal.expiresAt !== undefined && proposal.expiresAt <= scheduler.now();
}

/** Throws a `RangeError` unless `value` is a positive integer or `Infinity`. */
export function checkCount(operator: string, option: string, value: number): number {
  if (value !== Infinity && !(Number.isInteger(value) && value >= 1)) {
    throw new RangeError(
      `${operator}: ${option} must be a positive integer or Infinity, got ${String(value)}`,
    );
  }
  return value;
}

/** Throws a `RangeError` unless `value` is undefined or a non-negative finite number of ms. */
export function checkDuration(
  operator: string,
  option: string,
  value: number | undefined,
): number | undefined {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(
      `${operator}: ${option} must be a non-negative number of milliseconds, got ${String(value)}`,
    );
  }
  return value;
}
