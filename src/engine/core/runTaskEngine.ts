import { Observable } from 'rxjs';
import type { OfferProposal } from '../../ports/index.js';
import type { EngineEvent } from '../events.js';
import type { Task } from '../Task.js';
import { EngineRun } from './EngineRun.js';
import type { TaskEngineConfig } from './ports.js';

/**
 * The scheduling core of a task job, port-based: places the tasks of `tasks$` on workers, renting
 * (offers → `score` → `negotiate` → `createAgreement` → `createActivity`) only as many workers as
 * the pending tasks need, up to `maxWorkers`, and emits the job's task and market events.
 *
 * <span class="informal">The demand signal: drafts from `negotiate(maxWorkers)` wait in a gate,
 * holding their leases, and go on to be signed only while
 * `workers + rentals < min(maxWorkers, …)` and a pending task can run on that provider. No pending
 * task, no agreement; a worker that waits with nothing to do is released.</span>
 *
 * ```text
 * tasks$:     -a-b-----|
 * offers(1):  --o1-o2-o3          (the demand is published on the first need)
 * result:     ---S--s-(F)--f-(T)-|   S taskStarted · F taskFinished · T agreementTerminated
 * ```
 *
 * Cold; every subscription runs its own job. A retried task goes to a provider it has not failed
 * on; a provider that fails `excludeAfter` times in a row is excluded; a worker that throws has
 * its tasks re-queued and is released with code `Failure`. It completes when every task has an
 * outcome and every worker is released. Errors: the source's, and a task given twice
 * (`TypeError`); per-task and per-provider failures are events. Unsubscribing stops the workers
 * and releases them in the background (code `Cancelled`).
 *
 * @param tasks$ the tasks
 * @param config the ports and limits, see {@link TaskEngineConfig}
 * @returns the job's events
 */
export function runTaskEngine<P extends OfferProposal, D, R>(
  tasks$: Observable<Task<D, R>>,
  config: TaskEngineConfig<P, D, R>,
): Observable<EngineEvent<D, R>> {
  return new Observable<EngineEvent<D, R>>((subscriber) => {
    const run = new EngineRun(config, subscriber);
    subscriber.add(() => run.teardown());
    run.start(tasks$);
  });
}
