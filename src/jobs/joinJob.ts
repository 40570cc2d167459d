import type { Observable } from 'rxjs';
import type { EngineEvent } from '../engine/events.js';
import { executeTasks } from '../engine/executeTasks.js';
import type { ExecuteTasksOptions } from '../engine/options.js';
import type { Worker } from '../engine/worker.js';
import type { NatsLink } from '../nats/connect.js';
import type { GolemNode } from '../node/GolemNode.js';
import { ackTasks } from './ackTasks.js';
import { natsTasks } from './natsTasks.js';
import type { NatsTasksOptions } from './options.js';

/** Options of {@link joinJob}: the engine's, and the job's (`capacity` defaults to `maxWorkers`). */
export type JoinJobOptions<D, R> = ExecuteTasksOptions & Omit<NatsTasksOptions<D, R>, 'scheduler'>;

/**
 * Works on a job on NATS as one of its worker processes, with this process's node: the
 * one-liner of `natsTasks(link, …).pipe(executeTasks(node, worker, …), ackTasks())`.
 *
 * <span class="informal">Pulls as many tasks as `capacity` (by default the engine's
 * `maxWorkers`), runs them with `worker` on providers rented from `node` (retries, payments and
 * cleanup as `executeTasks` does them), publishes each outcome to the submitter and acks the
 * task. Other processes, on this host or others, join the same job with their own node: each task
 * runs in one process at a time.</span>
 *
 * Cold. Completes after the engine's `done`, once the job is complete (every task settled by some
 * process) or deleted. Errors: those of {@link executeTasks}, {@link natsTasks} and
 * {@link ackTasks}. Unsubscribing stops the engine at once and hands the tasks held back to the
 * queue; `signal` stops it cleanly (tasks not done are handed back, agreements terminated,
 * invoices paid).
 *
 * @param link a connection from `connectNats`
 * @param node a started node
 * @param worker the code run on each rented activity
 * @param options the engine's options (`payload`, `budget`…) and the job's (`job`, `decode`…)
 * @returns the engine's events
 * @throws {RangeError} (synchronously) on bad options
 *
 * @example
 * ```ts
 * joinJob<number, number>(link, node, worker, { job: 'squares', decode: Number, payload, budget: 1, maxWorkers: 4 })
 *   .pipe(logger.tap())
 *   .subscribe({ complete: () => void node.close() });
 * ```
 *
 * @see {@link submitJob}
 */
export function joinJob<D, R>(
  link: NatsLink,
  node: GolemNode,
  worker: Worker<D, R>,
  options: JoinJobOptions<D, R>,
): Observable<EngineEvent<D, R>> {
  const { job, decode, encode, capacity, pollTimeoutMs, worker: name, ...engine } = options;
  const tasks$ = natsTasks<D, R>(link, {
    job,
    decode,
    encode,
    capacity: capacity ?? engine.maxWorkers ?? 5,
    pollTimeoutMs,
    worker: name,
    scheduler: engine.scheduler ?? node.scheduler,
  });
  return tasks$.pipe(executeTasks(node, worker, engine), ackTasks<D, R>());
}
