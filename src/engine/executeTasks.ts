import {
  EMPTY,
  Observable,
  type OperatorFunction,
  Subject,
  catchError,
  concat,
  concatMap,
  defer,
  fromEvent,
  ignoreElements,
  map,
  merge,
  of,
  take,
  tap,
  timer,
} from 'rxjs';
import type { JobStopReason } from './errors/JobStoppedError.js';
import type { Allocation } from '../resources/Allocation.js';
import { ResourceOperationFailed } from '../resources/events.js';
import type { GolemNode } from '../node/GolemNode.js';
import { MAX_ALLOCATION_EXPIRES_MS } from '../resources/nodeOptions.js';
import type { Proposal } from '../resources/Proposal.js';
import type { TransferStorage } from '../ports/storage.js';
import { StorageServer } from '../storage/StorageServer.js';
import { runTaskEngine } from './core/runTaskEngine.js';
import type { EngineEvent, JobEvent } from './events.js';
import { alongside } from '../rx/alongside.js';
import { type ExecuteTasksOptions, resolveOptions } from './options.js';
import { JobPayments } from './payments.js';
import { releaseWorker } from './release.js';
import type { Task } from './Task.js';
import { type Worker, WorkerRunner } from './worker.js';

/** How long the allocation outlives the job's timeout and invoice wait. */
const ALLOCATION_MARGIN_MS = 10 * 60_000;

/**
 * Runs every task of the source on providers with `worker`, and emits the job's events as they
 * happen: each task's outcome (`taskFinished` with its result, or `taskFailed`, exactly once per
 * task) among progress events (allocation, agreements, workers, retries, payments), then `done`.
 *
 * <span class="informal">`Engine.map` of yapapi as an operator: it creates an allocation sized by
 * the budget, starts paying debit notes, and rents up to `maxWorkers` providers through `score` →
 * `negotiate` → `createAgreement` → `createActivity`, but only as many as the pending tasks need
 * (no agreement for no work). Each activity is reused across tasks. A retried task goes to a
 * provider it has not failed on; a provider that fails repeatedly is excluded; a worker that
 * throws has its tasks re-queued and its agreement terminated with a failure code. At the end it
 * terminates every agreement, waits for the invoices, pays them and releases the
 * allocation.</span>
 *
 * ```text
 * tasks$:   -a-b-c-|
 * result:   (started)(allocationCreated)--(agreementSigned)-(taskStarted)-(taskFinished a)-…-(invoiceAccepted)-(done|)
 * ```
 *
 * Cold: each subscription runs its own job (with its own allocation and demand). It completes
 * after `done`. Errors: the source's, the allocation failing, the node's payment polls failing;
 * per-task, per-provider and per-payment failures are events. Stopping early: the `signal`, the
 * `timeout` or the budget stop the job cleanly (every task not done fails with
 * `JobStoppedError`, then the normal shutdown). Unsubscribing stops at once: workers, agreements
 * and the allocation are released in the background, invoices are not waited for.
 *
 * @param node a started node
 * @param worker the code run on each rented activity, see {@link Worker}
 * @param options see {@link ExecuteTasksOptions}
 * @returns an operator from tasks to the job's events
 * @throws {RangeError} (synchronously) on invalid options
 *
 * @example
 * ```ts
 * from(frames.map((f) => new Task(f)))
 *   .pipe(executeTasks(node, renderWorker, { payload, budget: 2, maxWorkers: 4 }), taskResults())
 *   .subscribe((outcome) => console.log(outcome.task.id, outcome.type));
 * ```
 *
 * @see {@link mapTasks}
 * @see {@link summarize}
 */
export function executeTasks<D, R>(
  node: GolemNode,
  worker: Worker<D, R>,
  options: ExecuteTasksOptions,
): OperatorFunction<Task<D, R>, EngineEvent<D, R>> {
  const settings = resolveOptions(options);
  return (tasks$) =>
    new Observable<EngineEvent<D, R>>((subscriber) => {
      const scheduler = options.scheduler ?? node.scheduler;
      const emit = (event: EngineEvent<D, R>): void => {
        if (!subscriber.closed) subscriber.next(event);
      };
      const given = options.storage;
      // options (or none): the job's own server, closed at its end; a storage given is the caller's
      const own = given !== undefined && 'publishBytes' in given ? undefined : new StorageServer(given);
      const storage: TransferStorage = own ?? (given as TransferStorage);
      const stop = new Subject<JobStopReason>();
      let stopped: JobStopReason | undefined;
      let allocation: Allocation | undefined;
      let released = false;
      const tally = { finished: 0, failed: 0 };
      const count = (event: EngineEvent<D, R>): void => {
        if (event.type === 'taskFinished') tally.finished++;
        if (event.type === 'taskFailed') tally.failed++;
      };

      emit({
        type: 'jobStarted',
        maxWorkers: settings.maxWorkers,
        budget: settings.budget,
        subnet: options.subnet,
      });
      const expires = Math.min(
        MAX_ALLOCATION_EXPIRES_MS,
        settings.timeout + settings.invoiceTimeout + ALLOCATION_MARGIN_MS,
      );
      const job$ = node
        .createAllocation({
          amount: settings.budget,
          expires,
          network: options.network,
          driver: options.driver,
        })
        .pipe(
          take(1),
          concatMap((created) => {
            allocation = created;
            emit({ type: 'allocationCreated', allocationId: created.id, amount: settings.budget });
            const payments = new JobPayments(
              node,
              created,
              settings.budget,
              emit,
              () => stop.next('budget'),
              scheduler,
              // the node's payer pays from the job's allocation (its total is the budget), else the job pays
              node.config.payments.enabled ? 'node' : 'job',
            );
            const runner = new WorkerRunner(worker, storage, scheduler);
            const abort$ =
              options.signal === undefined
                ? EMPTY
                : options.signal.aborted
                  ? of('aborted' as const)
                  : fromEvent(options.signal, 'abort').pipe(map(() => 'aborted' as const));
            const stop$ = merge(
              stop,
              abort$,
              timer(settings.timeout, scheduler).pipe(map(() => 'timeout' as const)),
            ).pipe(
              take(1),
              tap((reason) => (stopped = reason)),
            );
            const core$ = runTaskEngine<Proposal, D, R>(tasks$, {
              maxWorkers: settings.maxWorkers,
              maxAttempts: settings.maxAttempts,
              excludeAfter: settings.excludeAfter,
              scorer: settings.strategy.score,
              minProposals: settings.strategy.minProposals,
              maxWait: settings.strategy.maxWait,
              approvalTimeout: options.approvalTimeout,
              idleTimeout: settings.idleTimeout,
              refreshInterval: settings.refreshInterval,
              barrenRounds: 3,
              scheduler,
              stop$,
              canRent: () => payments.hasBudget,
              offers: () =>
                node.demand$({
                  payload: options.payload,
                  subnet: options.subnet,
                  allocations: [created],
                  terms: options.terms,
                }),
              work: (activity, feed) => runner.run(activity, feed),
              isCaller: (feed) => runner.isCaller(feed),
              release: (activity, outcome) =>
                releaseWorker(activity, outcome, (error) =>
                  emit({ type: 'cleanupFailed', action: 'destroyActivity', resourceId: activity.id, error }),
                ),
            }).pipe(
              tap((event) => {
                if (event.type === 'agreementSigned') payments.track(event.agreementId);
                count(event);
              }),
            );
            const shutdown$ = concat(
              payments.invoices$(settings.invoiceTimeout),
              defer(() => created.release()).pipe(
                tap({ complete: () => (released = true) }),
                catchError((error: unknown) => {
                  emit({ type: 'cleanupFailed', action: 'releaseAllocation', resourceId: created.id, error });
                  return EMPTY;
                }),
                ignoreElements(),
              ),
              defer(() => own?.close() ?? EMPTY).pipe(ignoreElements()),
              defer(() =>
                of<JobEvent>({
                  type: 'done',
                  tasks: { total: tally.finished + tally.failed, ...tally },
                  totalCost: payments.spent,
                  stopped,
                }),
              ),
            );
            return alongside(concat(core$, shutdown$), payments.run$());
          }),
        );
      subscriber.add(job$.subscribe(subscriber));
      return () => {
        // Unsubscribed before the end: release in the background what the job still holds.
        const held = allocation;
        if (held !== undefined && !released) {
          held.release().subscribe({
            error: (error: unknown) => node.events.emit(new ResourceOperationFailed(held, 'release', error)),
          });
        }
        void own?.close();
      };
    });
}
