/**
 * One activity's start in `createActivity`: create → deploy and start, and the cleanup that keeps
 * a failed or abandoned activity (and its agreement) from dangling.
 *
 * @internal
 * @module
 */
import {
  Observable,
  type SchedulerLike,
  Subscription,
  concat,
  concatMap,
  defer,
  endWith,
  ignoreElements,
  take,
  throwIfEmpty,
} from 'rxjs';
import { EmptyResponseError } from '../../errors/EmptyResponseError.js';
import type { OnOperatorEvent } from '../events.js';
import type { ActivityOf, ActivityPort, AgreementPort } from '../ports.js';
import { type Report, attempt, destroyActivity, detach, eventReporter } from './operatorInternals.js';

/** The reason sent to the provider when the agreement is terminated because its activity failed. */
export const ACTIVITY_FAILED_REASON = 'Activity could not be started';
/** The reason sent to the provider when the consumer no longer wants the activity. */
export const ACTIVITY_UNWANTED_REASON = 'No longer needed by the requestor';

/** The settings `createActivity` runs with, resolved. */
export interface ActivitySettings {
  readonly scheduler: SchedulerLike;
  readonly onEvent: OnOperatorEvent | undefined;
}

function release(
  agreement: AgreementPort,
  activity: ActivityPort | undefined,
  reason: string,
  report: Report,
): Observable<never> {
  const destroy$ = activity ? destroyActivity(activity, report) : undefined;
  const terminate$ = attempt(() => agreement.terminate(reason), 'terminateAgreement', agreement.id, report);
  return destroy$ ? concat(destroy$, terminate$) : terminate$;
}

/**
 * Starts one activity on `agreement`: emits it, deployed and started, and completes; or reports
 * `activityFailed`, destroys the activity and terminates the agreement (nobody else holds it) and
 * completes empty. Unsubscribed midway, it aborts the call in flight and releases the same way.
 */
export function startActivity<A extends AgreementPort>(
  agreement: A,
  settings: ActivitySettings,
): Observable<ActivityOf<A>> {
  const { scheduler } = settings;
  return new Observable<ActivityOf<A>>((subscriber) => {
    const report = eventReporter(settings.onEvent, subscriber, scheduler);
    let activity: ActivityOf<A> | undefined;
    let settled = false;
    const steps = new Subscription();
    steps.add(
      defer(() => agreement.createActivity() as Observable<ActivityOf<A>>)
        .pipe(
          take(1),
          throwIfEmpty(
            () => new EmptyResponseError({ operation: 'createActivity', resourceId: agreement.id }),
          ),
          concatMap((created) => {
            activity = created;
            return defer(() => created.deployAndStart()).pipe(ignoreElements(), endWith(created));
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
            report({ type: 'activityFailed', agreement, activity, error });
            detach(release(agreement, activity, ACTIVITY_FAILED_REASON, report), scheduler, () =>
              subscriber.complete(),
            );
          },
        }),
    );
    return () => {
      steps.unsubscribe();
      if (!settled) {
        settled = true;
        detach(release(agreement, activity, ACTIVITY_UNWANTED_REASON, report), scheduler);
      }
    };
  });
}
