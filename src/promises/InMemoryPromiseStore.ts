import { PromiseTable } from './promiseTable.js';
import type { PromiseRecord, PromiseStore, PromiseStoreSnapshot } from './PromiseStore.js';

/**
 * A {@link PromiseStore} that keeps everything in memory: for tests, for promises that need not
 * survive the process, and for marble tests (its `append` is synchronous, so a registry on it
 * completes and wakes waiters inside virtual time).
 *
 * A new registry built on the same instance sees the promises of the previous one, which is how
 * tests simulate a restart without a file.
 *
 * @example
 * ```ts
 * const registry = new PromiseRegistry(new InMemoryPromiseStore());
 * ```
 */
export class InMemoryPromiseStore implements PromiseStore {
  private readonly table = new PromiseTable();
  private readonly log: PromiseRecord[] = [];

  /** Every record appended so far, in order (for assertions in tests). */
  get records(): readonly PromiseRecord[] {
    return [...this.log];
  }

  /** The current state. */
  snapshot(): PromiseStoreSnapshot {
    return this.table.snapshot();
  }

  /** Applies the record synchronously. */
  append(record: PromiseRecord): void {
    this.log.push(record);
    this.table.apply(record);
  }

  /** Nothing to release. */
  close(): void {
    // In-memory: there is nothing to flush or release.
  }
}
