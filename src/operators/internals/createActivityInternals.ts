/**
 * One activity's start in `createActivity`: create → deploy (with the `deploy` option's arguments) and
 * start, and the cleanup that keeps
 * a failed or abandoned activity (and its agreement) from dangling.
 *
 * @module
 */
import {
  type Observable,
  type SchedulerLike,
  concat,
  concatMap,
  defer,
  endWith,
  ignoreElements,
  isObservable,
  last,
  of,
} from 'rxjs';
import type { ActivityOf, ActivityPort, AgreementPort, DeployArgs } from '../../ports/index.js';
import type { OnOperatorEvent } from '../events.js';
import { type Report, attempt, destroyActivity } from './operatorInternals.js';
import { spendOnce } from './spendOnce.js';

/** The reason sent to the provider when the agreement is terminated because its activity failed. */
export const ACTIVITY_FAILED_REASON = 'Activity could not be started';
/** The reason sent to the provider when the consumer no longer wants the activity. */
export const ACTIVITY_UNWANTED_REASON = 'No longer needed by the requestor';

/** The `deploy` option of `createActivity`: an agreement's deploy arguments, or their Observable. */
type DeployArgsOf<A> = (agreement: A) => DeployArgs | Observable<DeployArgs>;

/** The settings `createActivity` runs with, resolved. */
export interface ActivitySettings<A = AgreementPort> {
  readonly scheduler: SchedulerLike;
  readonly onEvent: OnOperatorEvent | undefined;
  readonly deploy?: DeployArgsOf<A> | undefined;
}

/**
 * Deploys and starts `activity`: without `deploy` as the port does by default (no arguments);
 * with it, with the last value of what `deploy(agreement)` gives (called at subscription; what it
 * throws or its Observable errors with fails the activity, as an empty Observable does).
 */
function deployAndStart<A>(agreement: A, activity: ActivityPort, deploy: DeployArgsOf<A> | undefined) {
  if (deploy === undefined) return defer(() => activity.deployAndStart());
  return defer(() => {
    const args = deploy(agreement);
    return isObservable(args) ? args.pipe(last()) : of(args);
  }).pipe(concatMap((args) => activity.deployAndStart(args)));
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
  settings: ActivitySettings<A>,
): Observable<ActivityOf<A>> {
  return spendOnce<ActivityOf<A>>(
    {
      operation: 'createActivity',
      resourceId: agreement.id,
      create: () => agreement.createActivity() as Observable<ActivityOf<A>>,
      finish: (created) =>
        deployAndStart(agreement, created, settings.deploy).pipe(ignoreElements(), endWith(created)),
      failed: (activity, error, report) => {
        report({ type: 'activityFailed', agreement, activity, error });
        return release(agreement, activity, ACTIVITY_FAILED_REASON, report);
      },
      unwanted: (activity, report) => release(agreement, activity, ACTIVITY_UNWANTED_REASON, report),
    },
    settings,
  );
}
