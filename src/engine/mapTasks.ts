import { type Observable, type ObservableInput, from, map } from 'rxjs';
import type { GolemNode } from '../node/GolemNode.js';
import type { EngineEvent } from './events.js';
import { executeTasks } from './executeTasks.js';
import type { ExecuteTasksOptions } from './options.js';
import { Task } from './Task.js';
import type { Worker } from './worker.js';

/**
 * `Engine.map(worker, tasks)` of yapapi: runs `tasks` (Task objects, or plain data wrapped in a
 * `Task` each) with `worker` on providers rented from `node`, and emits the job's events: each
 * task's outcome among progress events, then `done`. The one-liner over {@link executeTasks}.
 *
 * Cold: each subscription runs the job. Completes after `done`. See {@link executeTasks} for the
 * errors and for stopping early.
 *
 * @param node a started node
 * @param worker the code run on each rented activity
 * @param tasks the tasks: an array, an iterable, an async iterable or an Observable
 * @param options see {@link ExecuteTasksOptions}
 * @returns the job's events
 *
 * @example
 * ```ts
 * mapTasks(node, async (ctx, tasks) => {
 *   for await (const task of tasks) {
 *     ctx.run('/bin/echo', String(task.data));
 *     const [r] = await ctx.commit();
 *     task.accept(r!.stdout);
 *   }
 * }, [1, 2, 3], { payload, budget: 1 })
 *   .pipe(taskResults())
 *   .subscribe((o) => console.log(o.task.data, o.type === 'taskFinished' ? o.result : o.error));
 * ```
 *
 * @see {@link executeTasks}
 */
export function mapTasks<D, R>(
  node: GolemNode,
  worker: Worker<D, R>,
  tasks: ObservableInput<Task<D, R> | D>,
  options: ExecuteTasksOptions,
): Observable<EngineEvent<D, R>> {
  const operator = executeTasks(node, worker, options);
  return operator(from(tasks).pipe(map((item) => (item instanceof Task ? item : new Task<D, R>(item)))));
}
