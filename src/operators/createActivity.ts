import { type Observable, type OperatorFunction, type SchedulerLike, asyncScheduler } from 'rxjs';
import type { ActivityOf, AgreementPort, DeployArgs } from '../ports/index.js';
import type { OnOperatorEvent } from './events.js';
import { ACTIVITY_UNWANTED_REASON, startActivity } from './internals/createActivityInternals.js';
import { attempt, checkCount, detach, eventReporter } from './internals/operatorInternals.js';
import { claimLease } from './internals/handOff.js';
import { workQueue } from './internals/workQueue.js';

/**
 * Turns each approved agreement into an activity, created, deployed and started: ready to run.
 *
 * <span class="informal">A failure (the call failed, the exe-unit did not deploy or start) is
 * reported as an `activityFailed` event; the activity is destroyed and the agreement terminated,
 * since nothing downstream will ever hold it.</span>
 *
 * ```text
 * source:       -a----b-------|
 * createActivity --x|          (per agreement)
 * deployAndStart   ---|
 * result:       ------X----Y--|
 * ```
 *
 * Cold. Agreements are processed as they come (up to `concurrency` at once), each already paid
 * for. It
 * completes when the source has completed and the last activity is started (or cleaned up).
 * Errors: only the source's, and what `onEvent` throws; per-agreement failures are events.
 * Unsubscribing aborts the calls in flight, destroys the activities it created but did not emit
 * and terminates the agreements it took and did not turn into an emitted activity, queued ones
 * included (best-effort: failures become `cleanupFailed` events; a 404 or 410, the resource
 * already gone, counts as done). An emitted activity belongs to the consumer, who destroys it
 * and terminates its agreement when done.
 *
 * @param config - see {@link CreateActivityConfig}.
 * @returns an operator from agreements to ready activities.
 *
 * @example
 * ```ts
 * proposals$.pipe(score(byPrice), negotiate(2), createAgreement(), createActivity(), take(2))
 *   .subscribe({ next: (activity) => run(activity), error: console.error });
 * // in a VPN: each provider joins the network before its exe-unit is deployed
 * agreements$.pipe(createActivity({ deploy: (agreement) => network.join(agreement) }));
 * ```
 *
 * @see {@link createAgreement}
 */
export function createActivity<A extends AgreementPort>(
  config: CreateActivityConfig<A> = {},
): OperatorFunction<A, ActivityOf<A>> {
  const settings = {
    scheduler: config.scheduler ?? asyncScheduler,
    onEvent: config.onEvent,
    deploy: config.deploy,
  };
  const report = eventReporter(config.onEvent, undefined, settings.scheduler);
  return workQueue({
    concurrency: checkCount('createActivity', 'concurrency', config.concurrency ?? Infinity),
    work: (agreement: A) => startActivity(agreement, settings),
    leaseOf: (agreement) => claimLease(agreement),
    abandon: (agreement) =>
      detach(
        attempt(
          () => agreement.terminate(ACTIVITY_UNWANTED_REASON),
          'terminateAgreement',
          agreement.id,
          report,
        ),
        settings.scheduler,
      ),
  });
}

/** The options of {@link createActivity}. */
export interface CreateActivityConfig<A extends AgreementPort = AgreementPort> {
  /**
   * The arguments of each activity's `deploy` command, e.g. to put its exe-unit in a VPN:
   * `deploy: (agreement) => network.join(agreement)`. Called once the activity is created; an
   * Observable's last value is taken (it may call yagna: `network.join` adds the provider to the
   * network first). What it throws, or its Observable errors with, fails that activity
   * (`activityFailed`; the activity is destroyed, the agreement terminated). Without it, `deploy`
   * has no arguments.
   */
  deploy?: (agreement: A) => DeployArgs | Observable<DeployArgs>;
  /**
   * How many activities are being started at once.
   * @default Infinity
   */
  concurrency?: number;
  /**
   * Where late failures of `onEvent` are thrown when no subscriber is left.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
  /** Receives `activityFailed` and `cleanupFailed` events. */
  onEvent?: OnOperatorEvent;
}
