/**
 * The options of the job parts on NATS, and their checks.
 *
 * @module
 */
import { hostname } from 'node:os';
import { type SchedulerLike, asyncScheduler } from 'rxjs';
import type { Task } from '../engine/Task.js';
import { checkJobName } from './names.js';

/** Options of {@link natsTasks}: which job to work on, and how its tasks and results are read and written. */
export interface NatsTasksOptions<D, R> {
  /** The job's name, as the submitter gave it to `submitJob`. */
  readonly job: string;
  /**
   * Makes a task's data from the JSON value the submitter's `encode` wrote (validate it here:
   * throw to refuse it; the task then fails for good with a `JobMessageError`). Nothing from the
   * wire chooses code to run.
   */
  readonly decode: (data: unknown) => D;
  /**
   * Makes the JSON value a result is sent as (the submitter's `decode` reads it). Throwing, or
   * returning something JSON cannot hold, fails the task with a `JobMessageError`.
   * @default the result itself
   */
  readonly encode?: (result: R) => unknown;
  /**
   * How many tasks this process holds at once (pulled and not yet settled): the source asks the
   * job for no more (backpressure), so the other processes get the rest. Give the engine's
   * `maxWorkers` (each worker runs one task at a time), a little more to keep them busy.
   * @default 5 (the engine's default `maxWorkers`)
   */
  readonly capacity?: number;
  /**
   * How long one pull waits on the server for tasks, in ms (at least 1000). When a pull comes
   * back short and this process holds nothing, the source checks whether the job is complete
   * (sealed, every task acked) and then completes; it also waits this long between looks for a job
   * not yet submitted.
   * @default 5000
   */
  readonly pollTimeoutMs?: number;
  /**
   * This process's name in the results it publishes (a `JobOutcome`'s `worker`).
   * @default `<hostname>/<pid>`
   */
  readonly worker?: string;
  /** The clock of the heartbeats and retry pauses. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/** Options of {@link submitJob}. */
export interface SubmitJobOptions<D, R> {
  /**
   * The job's name: 1 to 64 letters, digits, `-` or `_`, unique among the jobs live on the NATS
   * server (it names the job's streams). Submitting the same job again resumes it (see
   * {@link submitJob}).
   */
  readonly job: string;
  /**
   * The tasks: `Task` objects (their `id`, `timeout` and `expires` travel with them), or plain
   * data (its task id is then its index in the list, `"0"`, `"1"`, …). Ids must be unique.
   */
  readonly tasks: Iterable<D | Task<D, unknown>> | Iterable<D | Task<D, NoInfer<R>>>;
  /**
   * Makes a result from the JSON value the worker's `encode` wrote (validate it here: throw to
   * refuse it; the task's outcome is then `taskFailed` with a `JobMessageError`).
   */
  readonly decode: (result: unknown) => R;
  /**
   * Makes the JSON value a task's data is sent as (the workers' `decode` reads it).
   * @default the data itself
   */
  readonly encode?: (data: D) => unknown;
  /**
   * How long a worker process may stay silent about a task before the task is handed to another
   * one, in ms (the consumer's ack wait). Workers confirm the tasks they hold three times per ack
   * wait, so this is how fast a dead process is noticed, not how long a task may run.
   * @default 30000
   */
  readonly ackWaitMs?: number;
  /**
   * How many times a task is handed out at most: a task a process failed (after its own
   * `maxAttempts`), or held when it died, goes to the next; after the last, it fails
   * (`JobTaskFailedError`). Stopping a process early hands its tasks back, but the delivery counts.
   * @default 3
   */
  readonly maxDeliveries?: number;
  /**
   * Keep the job's streams once every task has its outcome (delete them with `cancelJob`).
   * @default false: deleted when the job completes
   */
  readonly keep?: boolean;
  /** The clock of the retry pauses. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/** {@link NatsTasksOptions} with the defaults applied. @internal */
export interface TasksSettings<D, R> {
  readonly job: string;
  readonly decode: (data: unknown) => D;
  readonly encode: (result: R) => unknown;
  readonly capacity: number;
  readonly pollTimeoutMs: number;
  readonly worker: string;
  readonly scheduler: SchedulerLike;
}

/** {@link SubmitJobOptions} with the defaults applied. @internal */
export interface SubmitSettings<D, R> {
  readonly job: string;
  readonly tasks: Iterable<D | Task<D, unknown>> | Iterable<D | Task<D, R>>;
  readonly decode: (result: unknown) => R;
  readonly encode: (data: D) => unknown;
  readonly ackWaitMs: number;
  readonly maxDeliveries: number;
  readonly keep: boolean;
  readonly scheduler: SchedulerLike;
}

const positiveInteger = (value: number): boolean => Number.isInteger(value) && value > 0;

function checkDecode(name: string, decode: unknown): void {
  if (typeof decode !== 'function') throw new RangeError(`${name}: decode must be a function`);
}

/** @throws {RangeError} on bad options @internal */
export function resolveTasksOptions<D, R>(options: NatsTasksOptions<D, R>): TasksSettings<D, R> {
  checkJobName(options.job);
  checkDecode('natsTasks', options.decode);
  const capacity = options.capacity ?? 5;
  if (!positiveInteger(capacity))
    throw new RangeError(`natsTasks: capacity must be a positive integer, got ${String(capacity)}`);
  const pollTimeoutMs = options.pollTimeoutMs ?? 5000;
  if (!(Number.isFinite(pollTimeoutMs) && pollTimeoutMs >= 1000))
    throw new RangeError(`natsTasks: pollTimeoutMs must be at least 1000, got ${String(pollTimeoutMs)}`);
  const worker = options.worker ?? `${hostname()}/${process.pid}`;
  if (typeof worker !== 'string' || worker.length === 0)
    throw new RangeError('natsTasks: worker must be a non-empty name');
  return {
    job: options.job,
    decode: options.decode,
    encode: options.encode ?? ((result: R) => result),
    capacity,
    pollTimeoutMs,
    worker,
    scheduler: options.scheduler ?? asyncScheduler,
  };
}

/** @throws {RangeError} on bad options @internal */
export function resolveSubmitOptions<D, R>(options: SubmitJobOptions<D, R>): SubmitSettings<D, R> {
  checkJobName(options.job);
  checkDecode('submitJob', options.decode);
  if (options.tasks === null || typeof options.tasks !== 'object' || !(Symbol.iterator in options.tasks))
    throw new RangeError('submitJob: tasks must be an iterable (an array, a Set, a generator)');
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  if (!(Number.isFinite(ackWaitMs) && ackWaitMs >= 300))
    throw new RangeError(`submitJob: ackWaitMs must be at least 300, got ${String(ackWaitMs)}`);
  const maxDeliveries = options.maxDeliveries ?? 3;
  if (!positiveInteger(maxDeliveries))
    throw new RangeError(`submitJob: maxDeliveries must be a positive integer, got ${String(maxDeliveries)}`);
  return {
    job: options.job,
    tasks: options.tasks,
    decode: options.decode,
    encode: options.encode ?? ((data: D) => data),
    ackWaitMs,
    maxDeliveries,
    keep: options.keep ?? false,
    scheduler: options.scheduler ?? asyncScheduler,
  };
}
