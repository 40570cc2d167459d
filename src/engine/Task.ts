import { TaskStateError } from './errors/TaskStateError.js';

/** Where a task is in its life. */
export type TaskState = 'pending' | 'running' | 'done' | 'failed';

/** Options of `new Task(data, options)`. */
export interface TaskOptions {
  /**
   * The task's id, which names it in events and errors.
   * @default `task-N`, N counting the tasks made in this process
   */
  id?: string;
  /**
   * How long one attempt may run on a worker, in ms. When it passes, the worker is stopped (its
   * activity destroyed, its agreement terminated with a failure code) and the task retried
   * elsewhere while attempts remain.
   * @default undefined (no limit)
   */
  timeout?: number;
  /**
   * When the task stops being worth doing: a `Date` or ms since the epoch, on the engine's
   * scheduler clock. Not done by then, it fails (no retry) and the worker running it is stopped.
   * @default undefined (never)
   */
  expires?: Date | number;
}

/** What the worker said about one attempt. @internal */
export type AttemptOutcome<R> =
  | { readonly kind: 'accept'; readonly result: R }
  | { readonly kind: 'reject'; readonly reason: string | Error; readonly retry: boolean };

/**
 * The engine's side of one running attempt: settles it, or throws `TaskStateError` when it
 * cannot (already settled, or called from a worker that no longer holds it). @internal
 */
export type AttemptHandler<R> = (outcome: AttemptOutcome<R>) => void;

let created = 0;

/**
 * One unit of work (e.g. one frame to render) for `executeTasks` / `mapTasks`: its `data`, and
 * `accept` / `reject`, which the worker calls to settle it.
 *
 * A task completes exactly once: `done` with its result, or `failed` with an error (after
 * `maxAttempts`, a `reject(…, { retry: false })`, expiry, or the job stopping). Every outcome is
 * reported as a `taskFinished` or `taskFailed` event carrying this very object, so results are
 * keyed by task. A retried task goes back to `pending` and runs next on another provider.
 *
 * @typeParam D - the task's input data.
 * @typeParam R - the result the worker accepts it with.
 *
 * @example
 * ```ts
 * const tasks = frames.map((frame) => new Task(frame, { timeout: 120_000 }));
 * mapTasks(node, async (ctx, tasks) => {
 *   for await (const task of tasks) {
 *     ctx.run('/bin/sh', '-c', `render ${task.data}`);
 *     const [result] = await ctx.commit();
 *     task.accept(String(result?.stdout));
 *   }
 * }, tasks, { payload, budget: 1 }).subscribe(console.log);
 * ```
 */
export class Task<D = unknown, R = unknown> {
  /** The task's id. */
  readonly id: string;
  /** The input data. */
  readonly data: D;
  /** How long one attempt may run, in ms. */
  readonly timeout: number | undefined;
  /** When the task expires, ms since the epoch. */
  readonly expires: number | undefined;

  private status: TaskState = 'pending';
  private handler: AttemptHandler<R> | undefined;
  private readonly tried: string[] = [];
  private value: R | undefined;
  private failure: unknown;

  /**
   * @param data the task's input
   * @param options see {@link TaskOptions}
   * @throws {RangeError} when `timeout` is not a positive number of ms
   */
  constructor(data: D, options: TaskOptions = {}) {
    if (options.timeout !== undefined && !(options.timeout > 0 && Number.isFinite(options.timeout))) {
      throw new RangeError(`Task: timeout must be a positive number of ms, got ${String(options.timeout)}`);
    }
    this.id = options.id ?? `task-${++created}`;
    this.data = data;
    this.timeout = options.timeout;
    this.expires = options.expires === undefined ? undefined : +options.expires;
  }

  /** Where the task is: `pending` (queued), `running` (on a worker), `done` or `failed`. */
  get state(): TaskState {
    return this.status;
  }

  /** How many attempts were started. */
  get attempts(): number {
    return this.tried.length;
  }

  /** The providers it ran on, one per attempt, in order. */
  get providers(): readonly string[] {
    return this.tried;
  }

  /** The result it was accepted with (once `done`). */
  get result(): R | undefined {
    return this.value;
  }

  /** Why it failed (once `failed`). */
  get error(): unknown {
    return this.failure;
  }

  /**
   * Settles the running attempt as a success: the task is `done` with `result`.
   * @throws {TaskStateError} when the task is not running on the caller's worker, or this attempt
   *   was already settled
   */
  accept(result: R): void {
    this.settle('accept', { kind: 'accept', result });
  }

  /**
   * Settles the running attempt as a failure. With `retry` (the default) the task is queued again
   * for another provider while attempts remain, else it fails; with `retry: false` it fails at
   * once, reported as `taskFailed` (never dropped silently).
   *
   * @param reason why (a message, or the error that made the result unusable)
   * @param options `retry`: run it again elsewhere @default `{ retry: true }`
   * @throws {TaskStateError} as {@link accept}
   */
  reject(reason: string | Error, options: { retry?: boolean } = {}): void {
    this.settle('reject', { kind: 'reject', reason, retry: options.retry ?? true });
  }

  /** The id and state, for logs. */
  toString(): string {
    return `Task(${this.id}, ${this.status})`;
  }

  /** Hands the task to a worker on `providerId`; `handler` settles the attempt. @internal */
  begin(providerId: string, handler: AttemptHandler<R>): void {
    this.status = 'running';
    this.tried.push(providerId);
    this.handler = handler;
  }

  /** The attempt ended without a final outcome: queued again. @internal */
  requeue(): void {
    this.handler = undefined;
    this.status = 'pending';
  }

  /** Final success. @internal */
  complete(result: R): void {
    this.handler = undefined;
    this.value = result;
    this.status = 'done';
  }

  /** Final failure. @internal */
  fail(error: unknown): void {
    this.handler = undefined;
    this.failure = error;
    this.status = 'failed';
  }

  private settle(operation: 'accept' | 'reject', outcome: AttemptOutcome<R>): void {
    const handler = this.handler;
    if (handler === undefined) throw new TaskStateError({ taskId: this.id, state: this.status, operation });
    handler(outcome);
  }
}
