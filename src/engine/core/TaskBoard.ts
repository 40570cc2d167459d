/**
 * The bookkeeping of a task job, free of RxJS and I/O: the queue of pending tasks, the attempts,
 * the providers each task failed on, and the providers excluded for failing repeatedly.
 *
 * @module
 */
import type { Task } from '../Task.js';

/** How a failed attempt ended for the task. */
export type AttemptVerdict = 'retried' | 'failed';

/** The limits of a {@link TaskBoard}. */
export interface TaskBoardLimits {
  /** Attempts per task. */
  readonly maxAttempts: number;
  /** Consecutive failures after which a provider is excluded. */
  readonly excludeAfter: number;
}

/** Tasks by state, attempts and provider failures. */
export class TaskBoard<D, R> {
  private readonly queue: Task<D, R>[] = [];
  private readonly known = new Set<Task<D, R>>();
  private readonly running = new Set<Task<D, R>>();
  private readonly streaks = new Map<string, number>();
  private readonly excluded = new Set<string>();
  private closedToNew = false;
  private finishedCount = 0;
  private failedCount = 0;

  constructor(private readonly limits: TaskBoardLimits) {}

  /** Tasks added so far. */
  get total(): number {
    return this.known.size;
  }

  /** Tasks done. */
  get finished(): number {
    return this.finishedCount;
  }

  /** Tasks failed for good. */
  get failed(): number {
    return this.failedCount;
  }

  /** Tasks waiting for a worker. */
  get pending(): number {
    return this.queue.length;
  }

  /** Tasks on workers. */
  get inFlight(): number {
    return this.running.size;
  }

  /** No task will be added any more. */
  get sourceDone(): boolean {
    return this.closedToNew;
  }

  /** Every task added has its outcome and none will be added. */
  get allSettled(): boolean {
    return this.closedToNew && this.queue.length === 0 && this.running.size === 0;
  }

  /**
   * Queues a new task.
   * @throws {TypeError} when the task was given before, or is not pending
   */
  add(task: Task<D, R>): void {
    if (this.known.has(task) || task.state !== 'pending') {
      throw new TypeError(`${task.toString()} was given to the job twice, or is not pending`);
    }
    this.known.add(task);
    this.queue.push(task);
  }

  /** No more tasks will be added. */
  close(): void {
    this.closedToNew = true;
  }

  /** Is there a pending task that has not failed on `providerId`? */
  hasWorkFor(providerId: string): boolean {
    return this.queue.some((task) => !task.providers.includes(providerId));
  }

  /** Removes and returns the first pending task that has not failed on `providerId`. */
  take(providerId: string): Task<D, R> | undefined {
    const index = this.queue.findIndex((task) => !task.providers.includes(providerId));
    if (index < 0) return undefined;
    const [task] = this.queue.splice(index, 1);
    return task;
  }

  /** Removes a pending task (it expired). */
  remove(task: Task<D, R>): boolean {
    const index = this.queue.indexOf(task);
    if (index < 0) return false;
    this.queue.splice(index, 1);
    return true;
  }

  /** The task began on a worker. */
  started(task: Task<D, R>): void {
    this.running.add(task);
  }

  /** The running task is done. */
  finish(task: Task<D, R>, result: R): void {
    this.running.delete(task);
    task.complete(result);
    this.finishedCount++;
  }

  /**
   * An attempt failed: the task is queued again (ahead of new tasks) when `retry` and attempts
   * remain, otherwise it fails for good with `error`.
   */
  attemptFailed(task: Task<D, R>, error: unknown, retry: boolean): AttemptVerdict {
    this.running.delete(task);
    if (retry && task.attempts < this.limits.maxAttempts) {
      task.requeue();
      this.queue.unshift(task);
      return 'retried';
    }
    this.fail(task, error);
    return 'failed';
  }

  /** Fails a task for good (running or pending). */
  fail(task: Task<D, R>, error: unknown): void {
    this.running.delete(task);
    this.remove(task);
    task.fail(error);
    this.failedCount++;
  }

  /** Removes every pending task, in queue order (to fail them). */
  drainPending(): Task<D, R>[] {
    return this.queue.splice(0);
  }

  /** The pending tasks, in order. */
  pendingTasks(): readonly Task<D, R>[] {
    return this.queue;
  }

  /** Records a failure of `providerId`; true when this one excludes it. */
  providerFailed(providerId: string): boolean {
    const streak = (this.streaks.get(providerId) ?? 0) + 1;
    this.streaks.set(providerId, streak);
    if (streak < this.limits.excludeAfter || this.excluded.has(providerId)) return false;
    this.excluded.add(providerId);
    return true;
  }

  /** Records a success of `providerId`: its failure streak starts over. */
  providerSucceeded(providerId: string): void {
    this.streaks.delete(providerId);
  }

  /** The consecutive failures of `providerId`. */
  streakOf(providerId: string): number {
    return this.streaks.get(providerId) ?? 0;
  }

  /** Is `providerId` excluded for the rest of the job? */
  isExcluded(providerId: string): boolean {
    return this.excluded.has(providerId);
  }
}
