/**
 * One worker of the scheduling core: an activity, the user's worker running on it, the tasks it
 * holds, and its {@link TaskFeed} (the asks for tasks it has made and not yet been answered).
 *
 * @module
 */
import {
  Observable,
  Subject,
  type Subscriber,
  type Subscription,
  concatMap,
  defer,
  expand,
  filter,
  of,
  take,
} from 'rxjs';
import type { Task } from '../Task.js';
import type { TaskFeed } from './ports.js';

/** A worker of the core. */
export class WorkerSlot<D, R, A> {
  /** The tasks handed to this worker and not settled yet. */
  readonly inFlight = new Set<Task<D, R>>();
  /** The feed the worker asks for tasks with. */
  readonly feed: TaskFeed<D, R>;
  /** The run of the worker (unsubscribe to stop it). */
  work: Subscription | undefined;
  /** The timer that releases it when it waits too long for a task. */
  idle: Subscription | undefined;
  /** Has the worker ended (returned, thrown, or been stopped)? */
  over = false;

  private readonly asks: Subscriber<Task<D, R>>[] = [];
  private readonly settledTasks = new Subject<Task<D, R>>();
  private fed = true;

  /**
   * @param activity the ready activity it runs on
   * @param providerId its provider
   * @param agreementId its agreement
   * @param activityId its activity's id
   * @param onAsk called when the worker asks for a task (the core then pumps)
   */
  constructor(
    readonly activity: A,
    readonly providerId: string,
    readonly agreementId: string,
    readonly activityId: string,
    onAsk: () => void,
  ) {
    const next = (): Observable<Task<D, R>> =>
      new Observable<Task<D, R>>((subscriber) => {
        if (!this.fed) {
          subscriber.complete();
          return undefined;
        }
        this.asks.push(subscriber);
        onAsk();
        return () => {
          const index = this.asks.indexOf(subscriber);
          if (index >= 0) this.asks.splice(index, 1);
        };
      });
    const settledOf = (task: Task<D, R>): Observable<unknown> =>
      defer(() =>
        this.inFlight.has(task)
          ? this.settledTasks.pipe(
              filter((t) => t === task),
              take(1),
            )
          : of(task),
      );
    this.feed = {
      next,
      tasks$: defer(next).pipe(expand((task) => settledOf(task).pipe(concatMap(next)))),
    };
  }

  /** Is the worker waiting for a task? */
  get waiting(): boolean {
    return this.asks.length > 0;
  }

  /** Does the feed still hand out tasks? */
  get open(): boolean {
    return this.fed;
  }

  /** Answers the oldest ask with `task` (which must be registered as in flight first). */
  hand(task: Task<D, R>): void {
    const ask = this.asks.shift();
    if (ask === undefined) throw new Error(`WorkerSlot.hand: no ask for ${task.toString()}`);
    this.inFlight.add(task);
    ask.next(task);
    ask.complete();
  }

  /**
   * The task is settled: it leaves the worker (at once, before any event about it is emitted),
   * and `notify()`, called when the core is done with it, lets `tasks$` ask for the next one.
   */
  settled(task: Task<D, R>): { notify(): void } {
    const held = this.inFlight.delete(task);
    return { notify: () => held && this.settledTasks.next(task) };
  }

  /** No more tasks for this worker: every ask (and every later one) completes empty. */
  endFeed(): void {
    this.fed = false;
    this.idle?.unsubscribe();
    this.idle = undefined;
    for (const ask of this.asks.splice(0)) ask.complete();
  }
}
