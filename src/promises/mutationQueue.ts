import type { PromiseAppendOutcome, PromiseRecord } from './PromiseStore.js';
import { isPromiseLike } from '../rx/isPromiseLike.js';

/**
 * What a mutation decided, given the state at its turn (module-internal): either an answer that
 * needs no write, or a record to persist and the change to apply once it is durable.
 */
export type Decision<T> =
  { readonly result: T } | { readonly record: PromiseRecord; readonly apply: () => T };

type Job = () => PromiseLike<void> | undefined;

/** How many times one mutation decides again after its store answered `'conflict'`. */
export const MAX_CONFLICT_RETRIES = 100;

/**
 * Runs the registry's mutations one at a time, in call order (module-internal). Each mutation
 * decides at its turn, from the state all earlier mutations left, so the first completion wins
 * and a second one sees it. With a synchronous store, a mutation runs to its end inside the call
 * that started it (virtual time stays virtual); with an async store, the next one waits for the
 * write of the previous. When a shared store answers `'conflict'` (another writer changed the
 * promise first, and the store has delivered that change), the mutation decides again at once,
 * still at its turn, up to {@link MAX_CONFLICT_RETRIES} times; then it fails with `onConflicts`.
 */
export class MutationQueue {
  private readonly jobs: Job[] = [];
  private running = false;

  constructor(
    private readonly append: (record: PromiseRecord) => Promise<PromiseAppendOutcome> | PromiseAppendOutcome,
    /** The error a mutation fails with when the store answered `'conflict'` too many times. */
    private readonly onConflicts: (record: PromiseRecord, attempts: number) => unknown,
  ) {}

  /** Enqueues a mutation; resolves with its result after its record (if any) is durable and applied. */
  run<T>(decide: () => Decision<T>): Promise<T> {
    return new Promise<T>((resolve, rejectWith) => {
      // Errors are forwarded as thrown (the store's and the decision's own typed errors).
      const reject: (err: unknown) => void = rejectWith;
      this.jobs.push(() => this.attempt(decide, resolve, reject, 1));
      this.drain();
    });
  }

  /** Decides, writes and applies once; on `'conflict'`, decides again. */
  private attempt<T>(
    decide: () => Decision<T>,
    resolve: (value: T) => void,
    reject: (err: unknown) => void,
    attempts: number,
  ): PromiseLike<void> | undefined {
    let decision: Decision<T>;
    let written: Promise<PromiseAppendOutcome> | PromiseAppendOutcome;
    try {
      decision = decide();
      if (!('record' in decision)) {
        resolve(decision.result);
        return undefined;
      }
      written = this.append(decision.record);
    } catch (err) {
      reject(err);
      return undefined;
    }
    const { apply, record } = decision;
    const then = (outcome: PromiseAppendOutcome): PromiseLike<void> | undefined => {
      if (outcome !== 'conflict') {
        settle(apply, resolve, reject);
        return undefined;
      }
      if (attempts >= MAX_CONFLICT_RETRIES) {
        reject(this.onConflicts(record, attempts));
        return undefined;
      }
      return this.attempt(decide, resolve, reject, attempts + 1);
    };
    if (!isPromiseLike(written)) return then(written);
    return written.then(then, reject);
  }

  private drain(): void {
    if (this.running) return;
    this.running = true;
    for (let job = this.jobs.shift(); job !== undefined; job = this.jobs.shift()) {
      const pending = job();
      if (pending !== undefined) {
        // `pending` never rejects: both outcomes were routed to the caller's promise above.
        void pending.then(() => {
          this.running = false;
          this.drain();
        });
        return;
      }
    }
    this.running = false;
  }
}

function settle<T>(apply: () => T, resolve: (value: T) => void, reject: (err: unknown) => void): void {
  try {
    resolve(apply());
  } catch (err) {
    reject(err);
  }
}
