/**
 * The life of one spending step (`createAgreement`'s sign, `createActivity`'s start): create →
 * finish, settled exactly once, with cleanup on failure and on unsubscription.
 *
 * @module
 */
import { Observable, type SchedulerLike, Subscription, concatMap, defer, take, throwIfEmpty } from 'rxjs';
import { EmptyResponseError, type PortOperation } from '../../errors/EmptyResponseError.js';
import type { OnOperatorEvent } from '../events.js';
import { type Report, detach, eventReporter } from './operatorInternals.js';

/** What one spending step creates, finishes and cleans up; see {@link spendOnce}. */
export interface SpendStep<T> {
  /** The port call that creates the resource (for `EmptyResponseError`). */
  readonly operation: PortOperation;
  /** The id of what `create` is called on (for `EmptyResponseError`). */
  readonly resourceId: string;
  /** Creates the resource (its first value is taken). */
  readonly create: () => Observable<T>;
  /** Brings the created resource to the state it is handed on in; emits it when it is there. */
  readonly finish: (created: T) => Observable<T>;
  /**
   * The step failed: reports it and returns the cleanup to run to its end (it must not error).
   * `created` is `undefined` when the failure came before anything was created.
   */
  readonly failed: (created: T | undefined, error: unknown, report: Report) => Observable<unknown>;
  /** The consumer left before the step settled: returns the cleanup that withdraws what it started. */
  readonly unwanted: (created: T | undefined, report: Report) => Observable<unknown>;
  /** Runs last in every teardown, whichever way the step ended. */
  readonly ended?: () => void;
}

/**
 * Runs `step`: emits the finished resource and completes; or runs `step.failed`, detaches its
 * cleanup and completes empty when that is done. Unsubscribed before it settled, it aborts the
 * call in flight and detaches `step.unwanted`'s cleanup. The user's `onEvent` is called through
 * the report handed to the callbacks; what it throws goes to the error channel.
 *
 * @param step what to create, finish and clean up
 * @param settings the scheduler (for detached cleanup) and the user's event callback
 */
export function spendOnce<T>(
  step: SpendStep<T>,
  settings: { readonly scheduler: SchedulerLike; readonly onEvent: OnOperatorEvent | undefined },
): Observable<T> {
  const { scheduler } = settings;
  return new Observable<T>((subscriber) => {
    const report = eventReporter(settings.onEvent, subscriber, scheduler);
    let created: T | undefined;
    let settled = false;
    const steps = new Subscription();
    steps.add(
      defer(step.create)
        .pipe(
          take(1),
          throwIfEmpty(
            () => new EmptyResponseError({ operation: step.operation, resourceId: step.resourceId }),
          ),
          concatMap((value) => {
            created = value;
            return step.finish(value);
          }),
        )
        .subscribe({
          next: (ready) => {
            settled = true;
            subscriber.next(ready);
            subscriber.complete();
          },
          error: (error: unknown) => {
            settled = true;
            detach(step.failed(created, error, report), scheduler, () => subscriber.complete());
          },
        }),
    );
    return () => {
      steps.unsubscribe();
      if (!settled) {
        settled = true;
        detach(step.unwanted(created, report), scheduler);
      }
      step.ended?.();
    };
  });
}
