/**
 * The user's worker and how the engine runs it: one call per activity, with a {@link WorkContext}
 * and the worker's stream of tasks.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  EMPTY,
  Observable,
  type ObservableInput,
  type SchedulerLike,
  defer,
  finalize,
  firstValueFrom,
  from,
} from 'rxjs';
import type { TransferStorage } from '../ports/storage.js';
import { WorkContext } from './context/WorkContext.js';
import type { ActivityLike } from './context/execute.js';
import type { TaskFeed } from './core/ports.js';
import type { Task } from './Task.js';

/**
 * The tasks a worker gets: iterate them with `for await` (the next one is asked for by each
 * `next()`), or use `tasks$` (the next one is asked for when the previous one is settled).
 */
export interface TaskStream<D, R> extends AsyncIterable<Task<D, R>> {
  /** The tasks as an Observable, one at a time. */
  readonly tasks$: Observable<Task<D, R>>;
}

/**
 * A worker: called once per activity the engine rents, with its {@link WorkContext} and its
 * {@link TaskStream}. It takes tasks, runs commands for them (`ctx.run(…)`, `await ctx.commit()`)
 * and settles each with `task.accept(result)` or `task.reject(reason)`. Return (or complete)
 * when the stream ends; throw to give up on the provider: the tasks it holds are retried elsewhere
 * and its agreement is terminated with a failure code.
 *
 * It may return a Promise, an Observable, an async iterable (drained), or nothing.
 *
 * @example
 * ```ts
 * const worker: Worker<number, string> = async (ctx, tasks) => {
 *   for await (const task of tasks) {
 *     ctx.run('/bin/sh', '-c', `echo $((${task.data} * 2))`);
 *     const [result] = await ctx.commit({ timeout: 30_000 });
 *     task.accept(result!.stdout!.trim());
 *   }
 * };
 * ```
 */
export type Worker<D, R> = (
  ctx: WorkContext,
  tasks: TaskStream<D, R>,
) => ObservableInput<unknown> | PromiseLike<unknown> | void;

/** The stream of tasks of one feed. */
export function taskStream<D, R>(feed: TaskFeed<D, R>): TaskStream<D, R> {
  return {
    tasks$: feed.tasks$,
    [Symbol.asyncIterator]: () => ({
      next: async (): Promise<IteratorResult<Task<D, R>>> => {
        const task = await firstValueFrom(feed.next(), { defaultValue: undefined });
        return task === undefined ? { done: true, value: undefined } : { done: false, value: task };
      },
    }),
  };
}

/**
 * Which worker's code is running: the feed while the worker runs. It is a holder emptied when the
 * worker ends, because Node keeps an AsyncLocalStorage value on every async resource made inside
 * it (a keep-alive socket of the HTTP pool lives on long after the job): holding the feed there
 * would keep the whole job (its tasks, batches, activities) alive after the node closed.
 */
interface CallerHolder<D, R> {
  feed: TaskFeed<D, R> | undefined;
}

/** Runs users' workers; knows which worker is calling `task.accept` (AsyncLocalStorage). */
export class WorkerRunner<D, R> {
  private readonly caller = new AsyncLocalStorage<CallerHolder<D, R>>();

  /**
   * @param worker the user's worker
   * @param storage where its transfers get URLs
   * @param scheduler the clock of its timeouts
   */
  constructor(
    private readonly worker: Worker<D, R>,
    private readonly storage: TransferStorage,
    private readonly scheduler: SchedulerLike,
  ) {}

  /**
   * Runs the worker on a ready activity: completes when it returns, errors when it throws.
   * Unsubscribing closes its work context (its commits then fail) and ends its task stream.
   */
  run(activity: ActivityLike, feed: TaskFeed<D, R>): Observable<unknown> {
    return defer(() => {
      const ctx = new WorkContext(activity, {
        storage: this.storage,
        scheduler: this.scheduler,
        started: true,
      });
      const holder: CallerHolder<D, R> = { feed };
      const end = (): void => {
        ctx.close();
        holder.feed = undefined;
      };
      const result = this.caller.run(holder, () => this.worker(ctx, taskStream(feed)));
      if (result === undefined || result === null) return EMPTY.pipe(finalize(end));
      // Subscribed inside the worker's context too: async generators and Observables run there.
      const run$ = new Observable<unknown>((subscriber) =>
        this.caller.run(holder, () => from(result).subscribe(subscriber)),
      );
      return run$.pipe(finalize(end));
    });
  }

  /** Is the code running now the worker fed by `feed` (or outside any worker)? */
  isCaller(feed: TaskFeed<D, R>): boolean {
    const current = this.caller.getStore();
    // outside any worker, or in this one; a worker that has ended is no longer anyone's caller
    return current === undefined || current.feed === feed;
  }
}
