/**
 * The lifecycle contract golem-rx wires into web frameworks: something long-running that can be
 * started and asked to stop.
 *
 * @module
 */

/**
 * Something long-running with an explicit start and stop: a `GolemNode`, a pipeline, an HTTP
 * server. The async-Python twin is aiohivebot's `wire_up_get_runnables()`.
 *
 * - `run()` starts it and settles when it has stopped: it resolves on a clean stop (the work
 *   completed, or `abort()` was called) and rejects on a crash (the error that stopped it).
 *   Calling it again returns the same Promise: a runnable runs at most once.
 * - `abort(reason?)` asks it to stop as soon as it can and resolves when it has stopped (how it
 *   stopped is `run()`'s to tell). Idempotent; before `run()`, it makes `run()` resolve at once.
 *
 * @example
 * ```ts
 * const runnables = [runnableFromNode(node), runnableFromObservable(pipeline$, { name: 'pipeline' })];
 * process.once('SIGINT', () => void Promise.all(runnables.map((r) => r.abort('SIGINT'))));
 * await Promise.all(runnables.map((r) => r.run()));
 * ```
 */
export interface Runnable {
  /** A name for status reports (the registry makes one up when absent). */
  readonly name?: string;
  /** Starts; settles when stopped: resolves on a clean stop, rejects on a crash. */
  run(): Promise<void>;
  /** Asks it to stop; resolves once it has stopped. Idempotent. */
  abort(reason?: unknown): Promise<void>;
}

/**
 * Where a runnable is in its life, as a `RunnableRegistry` sees it:
 * `idle` (not started) → `running` → `stopping` (asked to stop) → `stopped` (a clean stop) or
 * `failed` (a crash: `run()` rejected, see `lastError`).
 */
export type RunnableState = 'idle' | 'running' | 'stopping' | 'stopped' | 'failed';

/** One runnable's status in a `RunnableRegistry` (and in the JSON status). */
export interface RunnableStatus {
  /** Its unique name in the registry. */
  readonly name: string;
  /** Where it is in its life. */
  readonly state: RunnableState;
  /** When `run()` was called, in ms since the epoch of the registry's scheduler. */
  readonly startedAt?: number;
  /** When it stopped or failed (same clock). */
  readonly stoppedAt?: number;
  /** Why it was asked to stop (the `abort` reason, e.g. `'SIGTERM'`), when it was. */
  readonly stopReason?: string;
  /** What `run()` rejected with, when it crashed. */
  readonly lastError?: unknown;
}
