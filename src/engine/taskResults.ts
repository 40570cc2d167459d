import { type OperatorFunction, filter } from 'rxjs';
import type { EngineEvent, TaskOutcome } from './events.js';

/**
 * Keeps the task outcomes of a job's event stream: `taskFinished` (with the result) and
 * `taskFailed`, exactly one per task, as each task completes.
 *
 * ```text
 * source:  -j-a-S-F-S-X-d|     S taskStarted · F taskFinished · X taskFailed
 * result:  -------F---X--|
 * ```
 *
 * Cold; completes and errors with the source.
 *
 * @returns an operator from engine events to task outcomes
 *
 * @example
 * ```ts
 * mapTasks(node, worker, data, options).pipe(taskResults()).subscribe((o) => results.set(o.task, o));
 * ```
 *
 * @see {@link executeTasks}
 */
export function taskResults<D, R>(): OperatorFunction<EngineEvent<D, R>, TaskOutcome<D, R>> {
  return filter(
    (event): event is TaskOutcome<D, R> => event.type === 'taskFinished' || event.type === 'taskFailed',
  );
}
