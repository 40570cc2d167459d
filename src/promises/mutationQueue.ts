import type { PromiseRecord } from './PromiseStore.js';
import { isPromiseLike } from '../rx/isPromiseLike.js';

/**
 * What a mutation decided, given the state at its turn (module-internal): either an answer that
 * needs no write, or a record to persist and the change to apply once it is durable.
 */
export type Decision<T> =
  { readonly result: T } | { readonly record: PromiseRecord; readonly apply: () => T };

type Job = () => PromiseLike<void> | undefined;

/**
 * Runs the registry's mutations one at a time, in call order (module-internal). Each mutation
 * decides at its turn, from the state all earlier mutations left, so the first completion wins
 * and a second one sees it. With a synchronous store, a mutation runs to its end inside the call
 * that started it (virtual time stays virtual); with an async store, the next one waits for the
 * write of the previous.
 */
export class MutationQueue {
  private readonly jobs: Job[] = [];
  private running = false;

  constructor(private readonly append: (record: PromiseRecord) => Promise<void> | void) {}

  /** Enqueues a mutation; resolves with its result after its record (if any) is durable and applied. */
  run<T>(decide: () => Decision<T>): Promise<T> {
    return new Promise<T>((resolve, rejectWith) => {
      // Errors are forwarded as thrown (the store's and the decision's own typed errors).
      const reject: (err: unknown) => void = rejectWith;
      this.jobs.push(() => {
        let decision: Decision<T>;
        let written: Promise<void> | void;
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
        const { apply } = decision;
        if (!isPromiseLike(written)) {
          settle(apply, resolve, reject);
          return undefined;
        }
        return written.then(() => settle(apply, resolve, reject), reject);
      });
      this.drain();
    });
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
